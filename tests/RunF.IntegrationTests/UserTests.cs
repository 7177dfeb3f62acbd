using RunF.IntegrationTests.Infrastructure;
using RunF.IntegrationTests.Serve;

namespace RunF.IntegrationTests;

/// <summary>
/// --user and the image's User through the real binary, run by the unprivileged test user, whose
/// subordinate ids newuidmap and newgidmap map (TestAccounts sets them up as root).
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class UserTests
{
    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n";
    private const string Group = "root:x:0:\napp:x:1000:\nextra:x:2000:app,other\nnogroup:x:65534:\n";
    private const string Id = "id; echo HOME=$HOME; grep -E '^(Groups|CapEff|CapPrm|CapBnd)' /proc/self/status";

    private readonly TestEnvironment _env;
    private readonly string _rootfs;

    public UserTests(TestEnvironment env)
    {
        _env = env;
        _ = TestAccounts.SubordinateCount;
        _rootfs = WithAccounts(env.CopyRootfs("users"));
    }

    private static string WithAccounts(string rootfs)
    {
        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), Passwd);
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), Group);
        return rootfs;
    }

    private RunResult Run(params string[] args) => Runf.Run(_env, ["--rootfs", _rootfs, .. args]);

    private static string Ok(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }

    private static void AssertOneLine(RunResult r, string text)
    {
        Assert.True(r.ExitCode == 125, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Equal($"runf: {text}", Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void A_uid_and_gid_run_the_command_as_them_with_no_capabilities()
    {
        var output = Ok(Run("--user", "1000:1000", "--", "sh", "-c", Id));
        Assert.Equal(
            "uid=1000(app) gid=1000(app) groups=1000(app)\nHOME=/home/app\nGroups:\t1000 \n" +
            "CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000020000420\n", output);
    }

    [Fact]
    public void A_name_brings_its_primary_group_and_the_groups_that_list_it()
    {
        Assert.StartsWith("uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\nHOME=/home/app\nGroups:\t1000 2000 \n", Ok(Run("--user", "app", "--", "sh", "-c", Id)));
        Assert.StartsWith("uid=1000(app) gid=2000(extra) groups=2000(extra)\n", Ok(Run("-u", "app:extra", "--", "sh", "-c", Id)));
        // A uid the rootfs does not know: gid 0 and HOME /, as with Docker.
        Assert.StartsWith("uid=4242 gid=0(root) groups=0(root)\nHOME=/\n", Ok(Run("--user", "4242", "--", "sh", "-c", Id)));
    }

    [Fact]
    public void The_maps_hold_the_caller_as_0_and_its_subordinate_range_from_1_with_setgroups_allowed()
    {
        var maps = Ok(Run("--user", "app", "--", "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(5, maps.Count);
        Assert.Equal($"0 {TestEnvironment.TestUid} 1", maps[0]);
        Assert.Matches($"^1 [0-9]+ {TestAccounts.SubordinateCount}$", maps[1]);
        Assert.Equal($"0 {TestEnvironment.TestUid} 1", maps[2]);
        Assert.Equal("allow", maps[4]);
    }

    [Fact]
    public void Root_is_the_caller_as_today_with_setgroups_denied()
    {
        foreach (var user in (string[])["0", "root", "0:0"])
        {
            Assert.Equal($"uid=0(root) gid=0(root)\n0 {TestEnvironment.TestUid} 1\ndeny\n",
                Ok(Run("--user", user, "--", "sh", "-c", "id; cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'; cat /proc/self/setgroups")));
        }
    }

    [Fact]
    public void The_images_user_is_the_default_and_user_overrides_it()
    {
        var rootfs = WithAccounts(_env.CopyRootfs("image-user"));
        File.WriteAllText(rootfs + ".image.json", """
            {"Env": [], "Entrypoint": null, "Cmd": ["id"], "WorkingDir": null, "User": "app", "ExposedPorts": [], "Labels": {}}
            """);
        Assert.Equal("uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\n", Ok(Runf.Run(_env, "--rootfs", rootfs)));
        Assert.Equal("uid=0(root) gid=0(root)\n", Ok(Runf.Run(_env, "--rootfs", rootfs, "--user", "0")));
        Assert.Equal("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n", Ok(Runf.Run(_env, "--rootfs", rootfs, "--user", "nobody")));
    }

    [Fact]
    public void Dry_run_shows_the_maps_and_the_identity_step()
    {
        var plan = Ok(Run("--dry-run", "--user", "app", "id"));
        Assert.Matches($"id maps: uid 0 {TestEnvironment.TestUid} 1, 1 [0-9]+ {TestAccounts.SubordinateCount}; gid 0 {TestEnvironment.TestUid} 1, 1 [0-9]+ {TestAccounts.SubordinateCount} \\(inside, host, count; written by /usr/bin/newuidmap and /usr/bin/newgidmap, setgroups allowed\\)", plan);
        Assert.Contains("  become uid 1000 gid 1000 groups 1000,2000\n", plan);
        Assert.Contains("  keep capabilities none (bounding set CAP_KILL,CAP_NET_BIND_SERVICE,CAP_AUDIT_WRITE)\n", plan);
    }

    [Fact]
    public void A_user_name_the_rootfs_lacks_is_one_line() =>
        AssertOneLine(Run("--user", "nosuch", "id"), $"--user \"nosuch\": no user \"nosuch\" in {_rootfs}/etc/passwd: add it to the image, or give a uid (--user 1000:1000)");

    [Fact]
    public void A_uid_outside_the_subordinate_range_is_one_line()
    {
        var count = TestAccounts.SubordinateCount;
        AssertOneLine(Run("--user", $"{count + 1}", "id"),
            $"--user \"{count + 1}\": uid {count + 1} is outside the ids mapped for {TestAccounts.Name}: 0 (the caller) and 1 to {count} (its subordinate range of {count}): use an id up to {count}, or give {TestAccounts.Name} a larger range (as root: usermod --add-subuids START-END {TestAccounts.Name})");
        Assert.StartsWith($"uid={count} ", Ok(Run("--user", $"{count}:{count}", "id")));
    }

    [Fact]
    public void A_caller_without_subordinate_ids_gets_the_usermod_that_fixes_it_never_uid_0()
    {
        var r = Runf.Run(_env, ["--rootfs", _rootfs, "--user", "1000:1000", "id"], stdin: null, uid: TestAccounts.NoSubordinateUid);
        var name = Shell.Run("getent", "passwd", $"{TestAccounts.NoSubordinateUid}").Split(':')[0];
        Assert.True(r.ExitCode == 125, r.ToString());
        Assert.Equal("", r.Stdout);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var fix = System.Text.RegularExpressions.Regex.Match(line,
            $"^runf: --user \"1000:1000\" needs subordinate ids, and {name} \\(uid {TestAccounts.NoSubordinateUid}\\) has none in /etc/subuid and /etc/subgid: add them \\(as root: usermod --add-subuids ([0-9]+)-([0-9]+) --add-subgids \\1-\\2 {name}\\)$");
        Assert.True(fix.Success, line);
        // The range it suggests is one no user holds yet.
        var (start, end) = (ulong.Parse(fix.Groups[1].Value), ulong.Parse(fix.Groups[2].Value));
        Assert.Equal(65535UL, end - start);
        foreach (var entry in File.ReadAllLines("/etc/subuid").Concat(File.ReadAllLines("/etc/subgid")).Select(l => l.Split(':')).Where(f => f.Length == 3))
        {
            Assert.True(ulong.Parse(entry[1]) + ulong.Parse(entry[2]) <= start, $"{string.Join(':', entry)} overlaps {start}-{end}");
        }
    }

    [Fact]
    public void Without_newuidmap_on_path_says_to_install_uidmap()
    {
        var r = Runf.Run(_env, ["--rootfs", _rootfs, "--user", "app", "id"], stdin: null, extraEnv: new Dictionary<string, string> { ["PATH"] = "/nonexistent" });
        AssertOneLine(r, "--user \"app\" needs more ids than the caller's own, which only newuidmap and newgidmap can map, and they are not on PATH: install them (as root: apt install uidmap), or run as root inside (--user 0)");
    }

    [Fact]
    public void A_helper_that_refuses_is_named_with_what_it_said()
    {
        // newgidmap maps only for a caller whose gid is its passwd entry's (login.defs' GRANT_AUX_GROUP_SUBIDS aside).
        var r = Runf.Run(_env, ["--rootfs", _rootfs, "--user", "app", "id"], stdin: null, gid: TestAccounts.NoSubordinateUid);
        Assert.True(r.ExitCode == 125, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Matches($"^runf: cannot map the container's ids: /usr/bin/newgidmap [0-9]+ 0 {TestAccounts.NoSubordinateUid} 1 1 [0-9]+ [0-9]+ failed \\(exit 1\\): newgidmap: Target .*is owned by a different user: .*\n$", r.Stderr);
    }

    [Fact]
    public void The_users_container_dies_with_runf_and_takes_its_signals()
    {
        using (var p = Runf.Start(_env, ["--rootfs", _rootfs, "--user", "app", "--", "sh", "-c", "echo ready; exec sleep 100"]))
        {
            Assert.Equal("ready", p.StandardOutput.ReadLine());
            var container = Assert.Single(Runf.ChildrenOf(p.Id));
            Runf.Signal(p.Id, 9);
            Assert.True(p.WaitForExit(5_000));
            // The switch of ids cleared the parent-death signal: the child must have set it again.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (Runf.StateOf(container) is not (null or 'Z') && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
            Assert.True(Runf.StateOf(container) is null or 'Z', $"the container ({container}) outlived runf");
        }
        // runf signals a process of another uid (the caller owns its user namespace): the deadline's SIGKILL lands.
        var r = Run("--user", "app", "--timeout", "500ms", "--stop-timeout", "200ms", "--", "sleep", "100");
        Assert.True(r.ExitCode == 124, r.ToString());
    }

    [Fact]
    public void Init_runs_the_command_as_the_user_too()
    {
        Assert.Equal("uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\n1\n", Ok(Run("--init", "--user", "app", "--", "sh", "-c", "id; cat /proc/1/status | grep -c '^Uid:.1000'")));
    }

    [Fact]
    public async Task Runf_serve_runs_every_invocation_as_the_user_cold_and_prewarmed()
    {
        foreach (var prewarm in (string[])["0", "2"])
        {
            using var server = await ServeServer.StartAsync(_env, ["--rootfs", _rootfs, "--user", "app", "--prewarm", prewarm, "--healthcheck-interval", "0", "--", "id"]);
            for (var i = 0; i < 3; i++)
            {
                using var response = await server.PostAsync("/", "");
                Assert.Equal("uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\n", await response.Content.ReadAsStringAsync());
            }
        }
        var imageRootfs = WithAccounts(_env.CopyRootfs("serve-image-user"));
        File.WriteAllText(imageRootfs + ".image.json", """
            {"Env": [], "Entrypoint": null, "Cmd": null, "WorkingDir": null, "User": "1000:2000", "ExposedPorts": [], "Labels": {}}
            """);
        using (var server = await ServeServer.StartAsync(_env, ["--rootfs", imageRootfs, "--prewarm", "1", "--healthcheck-interval", "0", "--", "id"]))
        {
            using var response = await server.PostAsync("/", "");
            Assert.Equal("uid=1000(app) gid=2000(extra) groups=2000(extra)\n", await response.Content.ReadAsStringAsync());
        }
    }
}
