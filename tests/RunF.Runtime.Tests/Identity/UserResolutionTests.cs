using RunF.Runtime.Errors;
using RunF.Runtime.Identity;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests.Identity;

/// <summary>--user and an image's User, parsed and looked up in a rootfs's account files as runc and Docker do.</summary>
public class UserResolutionTests
{
    private const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        # a comment
        +nis
        app:x:1000:1000:app:/home/app:/bin/sh
        web:x:1001:2000::/srv/web:/bin/false
        dup:x:1000:3000::/dup:/bin/sh
        broken:x:notanumber:1:::
        """;

    private const string Group = """
        root:x:0:
        app:x:1000:
        web:x:2000:
        extra:x:3000:app,web
        audio:x:29:other,app
        """;

    private static ContainerUser Resolve(string text, string? passwd = Passwd, string? group = Group) =>
        RootfsAccounts.Resolve(UserSpec.Parse(text, "--user"), passwd, group, "/srv/rootfs");

    [Theory]
    [InlineData("app", "app", null)]
    [InlineData("1000:1000", "1000", "1000")]
    [InlineData("app:extra", "app", "extra")]
    [InlineData("0", "0", null)]
    public void Parses_user_and_group(string text, string user, string? group)
    {
        var spec = UserSpec.Parse(text, "--user");
        Assert.Equal((user, group), (spec.User, spec.Group));
        Assert.Equal(text, spec.ToString());
    }

    [Theory]
    [InlineData("", "expected USER[:GROUP]")]
    [InlineData(":1000", "expected USER[:GROUP]")]
    [InlineData("1000:", "expected USER[:GROUP]")]
    [InlineData("a:b:c", "expected USER[:GROUP]")]
    [InlineData("a b", "expected USER[:GROUP]")]
    [InlineData("4294967296", "4294967296 is not an id from 0 to 2147483647")]
    [InlineData("1000:2147483648", "2147483648 is not an id from 0 to 2147483647")]
    public void Refuses_a_malformed_user_in_one_line(string text, string why)
    {
        var e = Assert.Throws<RunfException>(() => UserSpec.Parse(text, "--user"));
        Assert.StartsWith($"invalid --user \"{text}\": ", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("root", true)]
    [InlineData("0:0", true)]
    [InlineData("root:root", true)]
    [InlineData("0:1000", false)]
    [InlineData("1000", false)]
    public void Knows_root_without_reading_anything(string text, bool root) => Assert.Equal(root, UserSpec.Parse(text, "--user").IsRoot);

    [Fact]
    public void A_name_takes_its_uid_gid_home_and_the_groups_that_list_it()
    {
        var user = Resolve("app");
        Assert.Equal((1000u, 1000u, "/home/app"), (user.Uid, user.Gid, user.Home));
        Assert.Equal([1000u, 3000u, 29u], user.Groups);
    }

    [Fact]
    public void A_uid_in_passwd_is_that_user_first_entry_winning()
    {
        var user = Resolve("1000");
        Assert.Equal((1000u, 1000u, "/home/app"), (user.Uid, user.Gid, user.Home));
        Assert.Equal([1000u, 3000u, 29u], user.Groups);
    }

    [Fact]
    public void A_uid_not_in_passwd_gets_gid_0_and_home_slash_as_with_docker()
    {
        var user = Resolve("4242");
        Assert.Equal((4242u, 0u, "/"), (user.Uid, user.Gid, user.Home));
        Assert.Equal([0u], user.Groups);
        // No passwd at all: the same.
        Assert.Equal((4242u, 0u), (Resolve("4242", passwd: null).Uid, Resolve("4242", passwd: null).Gid));
    }

    [Fact]
    public void An_explicit_group_replaces_the_primary_one_and_the_listed_groups()
    {
        Assert.Equal("1000 1000 [1000]", Ids(Resolve("1000:1000")));
        Assert.Equal("1000 3000 [3000]", Ids(Resolve("app:extra")));
        Assert.Equal("1001 77 [77]", Ids(Resolve("web:77")));
        Assert.Equal("5000 5000 [5000]", Ids(Resolve("5000:5000", passwd: null, group: null)));
    }

    private static string Ids(ContainerUser u) => $"{u.Uid} {u.Gid} [{string.Join(',', u.Groups)}]";

    [Fact]
    public void A_name_that_is_not_there_is_one_line_with_the_fix()
    {
        var e = Assert.Throws<RunfException>(() => Resolve("nosuch"));
        Assert.Equal("--user \"nosuch\": no user \"nosuch\" in /srv/rootfs/etc/passwd: add it to the image, or give a uid (--user 1000:1000)", e.Message);
        e = Assert.Throws<RunfException>(() => Resolve("app", passwd: null));
        Assert.Equal("--user \"app\": rootfs /srv/rootfs has no /etc/passwd to find user \"app\" in: give a uid instead (--user 1000:1000)", e.Message);
        e = Assert.Throws<RunfException>(() => Resolve("app:nogroup"));
        Assert.Equal("--user \"app:nogroup\": no group \"nogroup\" in /srv/rootfs/etc/group: add it to the image, or give a gid (--user app:1000)", e.Message);
        e = Assert.Throws<RunfException>(() => RootfsAccounts.Resolve(UserSpec.Parse("nosuch", "the image's User"), Passwd, Group, "/srv/rootfs"));
        Assert.StartsWith("the image's User \"nosuch\": no user", e.Message);
    }

    [Fact]
    public void Gives_the_users_home_to_HOME_unless_the_image_or_e_sets_it()
    {
        var identity = new ContainerIdentity(Plan.IdMaps.RootAs(40000, 40000), Resolve("app"));
        Assert.Contains("HOME=/home/app", SpecFixtures.Create(identity: identity).Env);
        Assert.Contains("HOME=/data", SpecFixtures.Create(new RunRequest { Command = ["true"], Env = ["HOME=/data"] }, identity: identity).Env);
        Assert.Contains("HOME=/root", SpecFixtures.Create().Env);
    }

    [Fact]
    public void A_user_other_than_root_holds_only_the_capabilities_added_for_it()
    {
        var user = new ContainerIdentity(Plan.IdMaps.RootAs(40000, 40000), Resolve("app"));
        Assert.Empty(SpecFixtures.Create(identity: user).UserCapabilities!);
        var added = SpecFixtures.Create(new RunRequest { Command = ["true"], CapAdd = ["NET_ADMIN"], CapDrop = ["KILL"] }, identity: user);
        Assert.Equal([Capabilities.Parse("NET_ADMIN")], added.UserCapabilities);
        Assert.DoesNotContain(Capabilities.Parse("KILL"), added.Capabilities);
        // Root (no User) keeps the whole set.
        Assert.Null(SpecFixtures.Create().UserCapabilities);
    }
}
