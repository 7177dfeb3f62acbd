using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>Each mistake gets one clear line on stderr and a documented exit code.</summary>
[Collection(RunfCollection.Name)]
public class BadInputTests(TestEnvironment env)
{
    private static void AssertOneLine(RunResult r, int exitCode, string text)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        Assert.Equal("", r.Stdout);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("runf: ", line);
        Assert.Contains(text, line);
    }

    [Fact]
    public void Missing_rootfs() =>
        AssertOneLine(Runf.Run(env, "--rootfs", "./nope", "true"), 125, "rootfs ./nope not found");

    [Fact]
    public void Default_rootfs_is_rootfs_in_the_current_directory()
    {
        Assert.Equal(0, Runf.Run(env, "true").ExitCode);
        var r = Runf.Run(env, ["--rootfs", "/nonexistent/rootfs", "true"], null);
        AssertOneLine(r, 125, "rootfs /nonexistent/rootfs not found");
    }

    [Fact]
    public void Command_not_in_the_rootfs() =>
        AssertOneLine(Runf.Run(env, "no-such-command"), 127, "exec \"no-such-command\": not found in rootfs");

    [Fact]
    public void Command_that_is_not_executable() =>
        AssertOneLine(Runf.Run(env, "/etc/passwd"), 126, "exec \"/etc/passwd\": Permission denied");

    [Fact]
    public void Rootfs_without_bin()
    {
        var rootfs = env.NewDir("nobin");
        foreach (var mountPoint in (string[])["proc", "dev", "sys", "tmp"])
        {
            Directory.CreateDirectory(Path.Combine(rootfs, mountPoint));
        }
        AssertOneLine(Runf.Run(env, "--rootfs", rootfs, "sh"), 127, "has no /bin");
    }

    /// <summary>
    /// The caller's own rootfs lacking mount points: runf wrote them into the host directory
    /// (with modes 1363 and 1204, 755 and 644 read as decimal). It names them all instead, and
    /// leaves the directory exactly as it was.
    /// </summary>
    [Fact]
    public void Rootfs_without_mount_points_is_named_and_never_written()
    {
        var rootfs = env.CopyRootfs("no-mount-points");
        Directory.Delete(Path.Combine(rootfs, "tmp"));
        File.Delete(Path.Combine(rootfs, "etc", "hosts"));
        Shell.Run("chown", "-R", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", rootfs);
        var before = Shell.Run("find", rootfs, "-printf", "%p %m %s\n");

        var r = Runf.Run(env, "--rootfs", rootfs, "--tmpfs", "/scratch", "true");

        AssertOneLine(r, 125, $"rootfs {rootfs} lacks the mount points /tmp, /scratch: create them there (mkdir -p {rootfs}/tmp {rootfs}/scratch): runf never writes into a rootfs");
        Assert.Equal(before, Shell.Run("find", rootfs, "-printf", "%p %m %s\n"));
        // Without /etc/hosts the container keeps the rootfs's resolution; nothing is made for it either.
        Directory.CreateDirectory(Path.Combine(rootfs, "tmp"));
        Shell.Run("chown", $"{TestEnvironment.TestUid}", Path.Combine(rootfs, "tmp"));
        before = Shell.Run("find", rootfs, "-printf", "%p %m %s\n");
        Assert.Equal(0, Runf.Run(env, "--rootfs", rootfs, "true").ExitCode);
        Assert.Equal(before, Shell.Run("find", rootfs, "-printf", "%p %m %s\n"));
    }

    [Fact]
    public void Rootfs_with_a_symlinked_proc()
    {
        var rootfs = env.CopyRootfs("symproc");
        Directory.Delete(Path.Combine(rootfs, "proc"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "proc"), "/tmp");
        AssertOneLine(Runf.Run(env, "--rootfs", rootfs, "true"), 125, "/proc is a symlink");
    }

    [Theory]
    [InlineData("--no-such-option")]
    [InlineData("--ulimit")]
    public void Unknown_or_incomplete_option(string option) =>
        AssertOneLine(Runf.Run(env, option), 125, "see runf --help");

    [Theory]
    [InlineData("--ulimit", "bogus=1", "invalid --ulimit")]
    [InlineData("--cap-add", "FLY", "unknown capability")]
    [InlineData("--bind", "/nonexistent:/x", "does not exist")]
    [InlineData("--tmpfs", "/t:huge", "expected a size")]
    [InlineData("-w", "relative", "invalid working directory")]
    [InlineData("--pids-limit", "abc", "invalid --pids-limit abc: expected a whole number")]
    [InlineData("--cpu-shares", "1.5", "invalid --cpu-shares 1.5: expected a whole number")]
    [InlineData("--report-fd", "99999999999", "invalid --report-fd 99999999999: expected a whole number")]
    // Values that overflowed .NET's TimeSpan, long or a timer crashed runf with a stack trace (exit 134).
    [InlineData("--timeout", "Infinity", "invalid --timeout \"Infinity\": expected a duration")]
    [InlineData("--timeout", "NaN", "invalid --timeout \"NaN\": expected a duration")]
    [InlineData("--stop-timeout", "99999999999h", "invalid --stop-timeout \"99999999999h\": too long, at most 1193h")]
    [InlineData("-m", "99999999999999999999", "invalid --memory \"99999999999999999999\": too large")]
    [InlineData("--tmpfs", "/tmp:99999999999999999999", "invalid --tmpfs size \"99999999999999999999\": too large")]
    [InlineData("-m", "64", "invalid --memory 64: a container needs at least 6m")]
    [InlineData("-m", "4k", "invalid --memory 4k: a container needs at least 6m")]
    [InlineData("--hostname", "a234567890123456789012345678901234567890123456789012345678901234567890", "70 characters, the kernel takes at most 64")]
    [InlineData("--ulimit", "nofile=99999999:99999999", "--ulimit nofile=99999999:99999999: above this executor's hard limit ")]
    [InlineData("--ulimit", "memlock=64k", "invalid --ulimit \"memlock=64k\": expected SOFT[:HARD] as whole numbers (or unlimited), with no unit: memlock=65536:65536")]
    [InlineData("--ulimit", "nofile=10:5", "the soft limit 10 is above the hard limit 5")]
    [InlineData("--env-file", "/tmp", "cannot read env file /tmp: it is a directory")]
    [InlineData("--cgroup-parent", "/sys/fs/cgroup/memory/fn", "it takes the cgroup's path, not its directory in /sys/fs/cgroup: pass /fn")]
    [InlineData("--net-bind", "http", "invalid --net-bind \"http\": expected any, none, or TCP ports")]
    [InlineData("--cpus", "Infinity", "invalid --cpus \"Infinity\": expected a number of CPUs from 0.01 to 1024")]
    public void Invalid_option_values(string option, string value, string text) =>
        AssertOneLine(Runf.Run(env, option, value, "true"), 125, text);

    [Fact]
    public void A_misspelt_verb_is_named_with_the_verbs_there_are() =>
        AssertOneLine(Runf.Run(env, "rootfs", "extrct", "image.tar"), 125, "unknown verb \"rootfs extrct\": expected rootfs extract or rootfs ls (see runf rootfs --help)");

    [Fact]
    public void Errors_are_json_events_with_log_format_json()
    {
        var r = Runf.Run(env, "--log-format", "json", "--ulimit", "bogus=1", "true");
        Assert.Equal(125, r.ExitCode);
        using var line = System.Text.Json.JsonDocument.Parse(Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("Error", line.RootElement.GetProperty("@l").GetString());
        Assert.StartsWith("invalid --ulimit \"bogus=1\"", line.RootElement.GetProperty("@m").GetString());
        Assert.Equal(125, line.RootElement.GetProperty("ExitCode").GetInt32());
    }

    /// <summary>With no archive and stdin on a terminal, rootfs ls and extract waited silently for input nobody typed.</summary>
    [Theory]
    [InlineData("ls")]
    [InlineData("extract")]
    public void Rootfs_verbs_refuse_a_terminal_for_stdin(string verb)
    {
        // script(1) gives runf a pseudo-terminal on stdin; it ends when runf does.
        var output = Shell.Run("timeout", "10", "script", "-qc", $"{env.Runf} rootfs {verb}{(verb == "extract" ? $" -o {env.Dir}/never" : "")}", "/dev/null");
        Assert.Contains($"runf: no archive given and stdin is a terminal: name one (runf rootfs {verb} image.tar)", output);
    }

    [Fact]
    public void No_command() => AssertOneLine(Runf.Run(env), 125, "no command given");

    [Theory]
    [InlineData("9")]
    [InlineData("-1")]
    public void Report_fd_that_is_not_open_stops_runf_before_the_command_runs(string fd) =>
        AssertOneLine(Runf.Run(env, "--report-fd", fd, "echo", "ran"), 125, $"--report-fd {fd}: Bad file descriptor");

    [Theory]
    [InlineData("/proc/report.json", "--report /proc/report.json: cannot write in /proc: ")]
    [InlineData("/nonexistent/report.json", "--report /nonexistent/report.json: cannot write in /nonexistent: No such file or directory")]
    [InlineData("/tmp", "--report /tmp: it is a directory: name a file")]
    public void Report_that_cannot_be_written_stops_runf_before_the_command_runs(string path, string text)
    {
        var r = Runf.Run(env, "--report", path, "sh", "-c", "echo ran; exit 7");
        AssertOneLine(r, 125, text);
    }

    [Fact]
    public void Dry_run_prints_the_plan_and_runs_nothing()
    {
        var r = Runf.Run(env, "--dry-run", "sh", "-c", "touch /tmp/never");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("clone: user mnt uts ipc pid (network shared with the executor)", r.Stdout);
        Assert.Contains("mount proc on /proc", r.Stdout);
        Assert.Contains("pivot_root into the rootfs", r.Stdout);
        Assert.Contains("exec \"sh\"", r.Stdout);
    }
}
