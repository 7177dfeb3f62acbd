using RunF.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>The rootfs and the kernel's interfaces are read-only: writes fail with EROFS.</summary>
[Collection(AttackCollection.Name)]
public class ReadOnlyRootfsAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "read-only rootfs")
{
    [Theory]
    [InlineData("/bin/busybox")]
    [InlineData("/bin/new-file")]
    [InlineData("/etc/passwd")]
    [InlineData("/etc/resolv.conf")]
    [InlineData("/proc/self/exe")]
    public void Writing_a_file_fails_with_EROFS(string path) => Blocked($"write {path}", "EROFS", "write", path);

    [Fact]
    public void Creating_a_directory_fails_with_EROFS() => Blocked("mkdir /etc/x", "EROFS", "mkdir", "/etc/x");

    /// <summary>
    /// An executor volume mounted beneath the rootfs directory comes along with the recursive
    /// rootfs bind; a read-only remount of / alone left it writable inside.
    /// </summary>
    [Fact]
    public void A_mount_beneath_the_rootfs_directory_is_read_only_too()
    {
        var rootfs = World.WithProbe("submount-rootfs");
        var volume = Path.Combine(rootfs, "srv");
        Directory.CreateDirectory(volume);
        Shell.Run("mount", "-t", "tmpfs", "-o", "mode=0777,size=1m", "volume", volume);
        try
        {
            // Writable for the test user on the host: only the container's mount can stop the write.
            using (var touch = System.Diagnostics.Process.Start(Runf.Unprivileged("touch", [$"{volume}/host-side"]))!)
            {
                touch.WaitForExit();
                Assert.Equal(0, touch.ExitCode);
            }
            Outcome("write a file on a volume mounted beneath the rootfs directory", World.RunIn(rootfs, "probe", "write", "/srv/x"), "EROFS");
            Outcome("mkdir on a volume mounted beneath the rootfs directory", World.RunIn(rootfs, "probe", "mkdir", "/srv/d"), "EROFS");
            // An explicit --bind :rw is what makes a path writable.
            Assert.Equal("ok", World.RunIn(rootfs, "--bind", $"{volume}:/srv:rw", "--", "probe", "write", "/srv/x"));
        }
        finally
        {
            Shell.Run("umount", volume);
        }
    }
}

/// <summary>/proc/sys, /sys and the cgroup tree are read-only down to every submount.</summary>
[Collection(AttackCollection.Name)]
public class KernelInterfaceAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "read-only /proc/sys, /sys")
{
    [Theory]
    [InlineData("/proc/sys/kernel/hostname")]
    [InlineData("/proc/sys/kernel/core_pattern")]
    [InlineData("/proc/sys/vm/drop_caches")]
    [InlineData("/sys/kernel/mm/transparent_hugepage/enabled")]
    [InlineData("/sys/fs/cgroup/pids/cgroup.procs")]
    [InlineData("/sys/fs/cgroup/memory/memory.limit_in_bytes")]
    [InlineData("/sys/fs/cgroup/unified/cgroup.procs")]
    public void Writing_fails_with_EROFS(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing on this host: the attack would prove nothing");
        Blocked($"write {path}", "EROFS", "write", path);
    }

    [Theory]
    [InlineData("/sys/fs/cgroup/pids/escape")]
    [InlineData("/sys/fs/cgroup/memory/escape")]
    [InlineData("/sys/fs/cgroup/unified/escape")]
    public void Creating_a_cgroup_fails_with_EROFS(string path) => Blocked($"mkdir {path}", "EROFS", "mkdir", path);

    [Fact]
    public void Sysrq_trigger_is_read_only_or_absent_as_on_the_host()
    {
        // This kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off): then it must be absent inside too.
        var expected = File.Exists("/proc/sysrq-trigger") ? "EROFS" : "ENOENT";
        Blocked("write /proc/sysrq-trigger", expected, "write", "/proc/sysrq-trigger");
    }
}
