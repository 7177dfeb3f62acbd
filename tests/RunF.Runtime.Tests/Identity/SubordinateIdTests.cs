using RunF.Runtime.Errors;
using RunF.Runtime.Identity;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests.Identity;

/// <summary>The caller's ranges in /etc/subuid and /etc/subgid, and the maps (or the one line) they make.</summary>
public class SubordinateIdTests
{
    private static readonly IdMapTools Tools = new("/usr/bin/newuidmap", "/usr/bin/newgidmap");
    private static readonly Caller Caller = new(40000, 40000, "fn");
    private static readonly ContainerUser App = new(1000, 1000, [1000, 2000], "/home/app");

    [Fact]
    public void Finds_the_callers_range_by_name_before_uid_as_shadow_does()
    {
        const string file = "# comment\nother:100000:65536\n40000:300000:1000\nfn:200000:65536\nfn:900000:10\nbad:x:1\n";
        Assert.Equal((200000u, 65536u), SubordinateIds.Find(file, "fn", 40000));
        Assert.Equal((300000u, 1000u), SubordinateIds.Find(file, "nobody-by-that-name", 40000));
        Assert.Equal((300000u, 1000u), SubordinateIds.Find(file, null, 40000));
        Assert.Null(SubordinateIds.Find(file, "else", 1));
        Assert.Null(SubordinateIds.Find(null, "fn", 40000));
        Assert.Null(SubordinateIds.Find("fn:1:0\nfn:4294967295:2\n", "fn", 40000)); // empty, or past the last id
    }

    [Fact]
    public void Suggests_a_range_after_every_one_given_out()
    {
        Assert.Equal("100000-165535", SubordinateIds.FreeRange(null, ""));
        Assert.Equal("300000-365535", SubordinateIds.FreeRange("a:100000:65536\nb:200000:100000\n", "a:165536:1000\n"));
    }

    [Fact]
    public void Maps_the_caller_to_0_and_its_range_from_1_as_rootless_podman()
    {
        var ids = SubordinateMaps.For(Spec("app"), App, Caller, Tools, (200000, 65536), (300000, 65536));
        Assert.Equal("0 40000 1\n1 200000 65536\n", ids.UidMap);
        Assert.Equal("0 40000 1\n1 300000 65536\n", ids.GidMap);
        Assert.Same(Tools, ids.Tools);
        // The caller's own ids alone are written by runf itself.
        Assert.Null(IdMaps.RootAs(40000, 40000).Tools);
        Assert.Equal("0 40000 1\n", IdMaps.RootAs(40000, 40000).UidMap);
    }

    [Fact]
    public void Without_newuidmap_says_what_to_install()
    {
        var e = Assert.Throws<RunfException>(() => SubordinateMaps.For(Spec("1000:1000"), App, Caller, null, (200000, 65536), (300000, 65536)));
        Assert.Equal("--user \"1000:1000\" needs more ids than the caller's own, which only newuidmap and newgidmap can map, and they are not on PATH: install them (as root: apt install uidmap), or run as root inside (--user 0)", e.Message);
    }

    [Fact]
    public void Without_subordinate_ids_names_the_files_and_the_usermod_that_fixes_it()
    {
        var e = Assert.Throws<RunfException>(() => SubordinateMaps.For(Spec("1000"), App, Caller, Tools, null, null));
        Assert.Equal("--user \"1000\" needs subordinate ids, and fn (uid 40000) has none in /etc/subuid and /etc/subgid: add them (as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 fn)", e.Message);
        e = Assert.Throws<RunfException>(() => SubordinateMaps.For(Spec("1000"), App, Caller, Tools, (200000, 65536), null));
        Assert.Equal("--user \"1000\" needs subordinate ids, and fn (uid 40000) has none in /etc/subgid: add them (as root: usermod --add-subgids 100000-165535 fn)", e.Message);
        e = Assert.Throws<RunfException>(() => SubordinateMaps.For(Spec("1000"), App, Caller with { Name = null }, Tools, null, null));
        Assert.StartsWith("--user \"1000\" needs subordinate ids, and the caller (uid 40000) has no entry in the executor's /etc/passwd", e.Message);
    }

    [Theory]
    [InlineData(70000u, 1000u, 1000u, "uid 70000")]
    [InlineData(1000u, 65537u, 1000u, "gid 65537")]
    [InlineData(1000u, 1000u, 99999u, "supplementary group 99999")]
    public void An_id_outside_the_mapped_ranges_is_one_line(uint uid, uint gid, uint group, string what)
    {
        var user = new ContainerUser(uid, gid, [gid, group], "/");
        var e = Assert.Throws<RunfException>(() => SubordinateMaps.For(Spec("x"), user, Caller, Tools, (200000, 65536), (300000, 65536)));
        Assert.Equal($"--user \"x\": {what} is outside the ids mapped for fn: 0 (the caller) and 1 to 65536 (its subordinate range of 65536): use an id up to 65536, or give fn a larger range (as root: usermod {(what.StartsWith("uid") ? "--add-subuids" : "--add-subgids")} START-END fn)", e.Message);
    }

    [Fact]
    public void The_top_of_the_range_is_still_mapped()
    {
        var user = new ContainerUser(65536, 65536, [65536, 0], "/");
        Assert.NotNull(SubordinateMaps.For(Spec("65536"), user, Caller, Tools, (200000, 65536), (300000, 65536)));
    }

    private static UserSpec Spec(string text) => UserSpec.Parse(text, "--user");
}
