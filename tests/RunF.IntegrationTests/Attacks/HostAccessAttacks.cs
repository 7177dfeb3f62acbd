using System.Diagnostics;
using RunF.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// The host filesystem is out of reach: every path resolves inside the rootfs, the old root is
/// gone and inode handles need a capability the container lacks. EscapeTests covers listing
/// /proc/1/root, /proc/self/cwd and a leaked directory descriptor.
/// </summary>
[Collection(AttackCollection.Name)]
public class HostFilesystemAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "host filesystem")
{
    [Theory]
    [InlineData("/../../../etc/shadow")]
    [InlineData("/proc/1/root/../../etc/shadow")]
    [InlineData("/proc/self/cwd/../../etc/shadow")]
    [InlineData("/proc/1/cwd/../etc/shadow")]
    [InlineData("/dev/fd/0/../../etc/shadow")]
    public void Climbing_out_of_the_root_finds_nothing(string path)
    {
        Assert.True(File.Exists("/etc/shadow"), "the host has no /etc/shadow: the attack would prove nothing");
        Blocked($"read {path}", path.StartsWith("/dev/fd/0", StringComparison.Ordinal) ? "ENOTDIR" : "ENOENT", "read", path);
    }

    [Fact]
    public void Opening_a_host_inode_by_handle_fails_with_EPERM() =>
        Blocked("open_by_handle_at (shocker)", "EPERM", "open-by-handle");

    [Fact]
    public void The_old_root_is_detached()
    {
        // After pivot_root and the detach, every mount point is inside the rootfs's own tree.
        var r = Runf.Run(Env, "cat", "/proc/self/mountinfo");
        var mountPoints = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[4]).ToList();
        var outside = mountPoints.Where(m => m != "/" && !Directory.Exists(Path.Combine(Env.Rootfs, m.TrimStart('/').Split('/')[0]))).ToList();
        Outcome("find the old root in mountinfo", outside.Count == 0 ? $"{mountPoints.Count} mounts, all under /" : string.Join(' ', outside),
            outside.Count == 0 && mountPoints.Count(m => m == "/") == 1, "a mount point outside the rootfs's tree");
    }
}

/// <summary>runf itself is in the executor's PID namespace: nothing in the container leads to its binary.</summary>
[Collection(AttackCollection.Name)]
public class RunfBinaryAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "runf binary")
{
    /// <summary>PID 1 is runf-init, run from a sealed memfd (a copy, not a file of the host); every other exe is the rootfs's.</summary>
    [Fact]
    public void Every_visible_exe_is_a_rootfs_binary_or_the_sealed_init()
    {
        var r = Runf.Run(Env, ["--rootfs", World.Rootfs, "sh", "-c", "sleep 5 & for p in /proc/[0-9]*; do readlink $p/exe; done; kill %1"], null);
        var exes = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Order().ToList();
        Outcome("readlink /proc/*/exe", string.Join(' ', exes), exes.SequenceEqual(["/bin/busybox", "/memfd:runf-init (deleted)"]), "an exe outside the rootfs");
    }

    [Fact]
    public void Overwriting_pid_1s_binary_fails() =>
        // CVE-2019-5736's path: the runtime is never exec'd inside. runf-init is a sealed memfd,
        // busy while it runs; as PID 1 (--no-init) the command's binary is on the read-only rootfs.
        Outcome("write /proc/1/exe (runf-init; --no-init: the command)", $"{World.Probe("write", "/proc/1/exe")} {World.RunIn(World.Rootfs, "--no-init", "--", "probe", "write", "/proc/1/exe")}", "ETXTBSY EROFS");
}

/// <summary>A PID namespace of its own: host processes cannot be seen or signalled.</summary>
[Collection(AttackCollection.Name)]
public class HostProcessAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "PID namespace")
{
    [Fact]
    public void Only_itself_is_addressable_among_all_pids()
    {
        // runf-init and itself; itself alone with --no-init.
        var pidMax = File.ReadAllText("/proc/sys/kernel/pid_max").Trim();
        var visible = $"{World.Probe("visible-pids", pidMax)} {World.RunIn(World.Rootfs, "--no-init", "--", "probe", "visible-pids", pidMax)}";
        Outcome($"kill(pid, 0) for pids 1..{pidMax} (--no-init)", visible, "2 1");
    }

    [Fact]
    public void Signalling_every_process_reaches_none() => Blocked("kill(-1, SIGKILL)", "ESRCH", "kill", "-1", "9");

    [Fact]
    public void Signalling_the_executor_by_its_host_pid_fails_with_ESRCH()
    {
        using var sleeper = Process.Start("sleep", "30");
        try
        {
            Blocked($"kill({sleeper.Id}, SIGKILL) (a host process)", "ESRCH", "kill", sleeper.Id.ToString(), "9");
            Assert.False(sleeper.HasExited);
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }
}
