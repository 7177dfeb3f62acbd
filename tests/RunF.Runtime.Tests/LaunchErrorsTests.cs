using RunF.Runtime.Host;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;
using static RunF.Interop.Errno;

namespace RunF.Runtime.Tests;

/// <summary>Each failure the launcher reports becomes one line with the fix the host's facts call for.</summary>
public class LaunchErrorsTests
{
    private const string Rootfs = "/srv/rootfs";

    private static readonly FakeHostProbe Plain = new(new() { ["/srv/rootfs/bin"] = PathKind.Directory });

    [Theory]
    [InlineData(EPERM, false, "unprivileged user namespaces are disabled or blocked by seccomp (see runf doctor)")]
    [InlineData(EPERM, true, "this runf runs under a seccomp filter, as in a RunF or Docker container with its default profile: start the outer container with --seccomp unconfined")]
    [InlineData(EACCES, false, "unprivileged user namespaces are disabled")]
    [InlineData(ENOSPC, false, "the user.max_user_namespaces limit is reached")]
    [InlineData(EUSERS, false, "the user.max_user_namespaces limit is reached")]
    [InlineData(EINVAL, false, "cannot create the container process: ")]
    public void A_failed_clone_names_what_stops_user_namespaces(int errno, bool filtered, string fix) =>
        Assert.Contains(fix, LaunchErrors.CloneFailed(errno, new FakeHostProbe(seccompFiltered: filtered)).Message);

    [Theory]
    [InlineData("uid_map", EPERM, 0UL, true)]
    [InlineData("uid_map", EPERM, 1UL << 31, false)]  // CAP_SETFCAP held: something else refused it
    [InlineData("gid_map", EPERM, 0UL, false)]
    [InlineData("uid_map", EINVAL, 0UL, false)]
    public void A_refused_uid_map_names_cap_setfcap_only_when_it_is_missing(string file, int errno, ulong caps, bool namesSetfcap)
    {
        var message = LaunchErrors.IdMapFailed(file, errno, new FakeHostProbe(capabilities: caps)).Message;
        Assert.StartsWith($"cannot write {file} of the container: ", message);
        Assert.Equal(namesSetfcap, message.Contains("mapping root needs CAP_SETFCAP"));
    }

    public static TheoryData<SetupOp, int, string, int> Steps() => new()
    {
        { Ops.Exec(["fn"], [], ["/bin/fn"]), ENOENT, "exec \"fn\": not found in rootfs /srv/rootfs", 127 },
        { Ops.Exec(["/opt/fn"], [], ["/opt/fn"]), ENOTDIR, "exec \"/opt/fn\": no such file in rootfs /srv/rootfs", 127 },
        { Ops.Exec(["fn"], [], ["/bin/fn"]), EACCES, "exec \"fn\": Permission denied", 126 },
        // A file it cannot read (here, no rootfs at all) leaves the plain line.
        { Ops.Exec(["fn"], [], ["/bin/fn"]), ENOEXEC, "exec \"fn\": Exec format error", 126 },
        { Ops.MountFs("proc", "/proc", MountFlags.NoSuid, opFlags: OpFlags.NoSymlinks), ELOOP, "rootfs /srv/rootfs: /proc is a symlink: it must be a plain directory", 125 },
        { Ops.EnsureDir("/data/x"), ENOENT, "create mount point /data/x: its parent is missing in rootfs /srv/rootfs", 125 },
        { Ops.EnsureFile("/etc/x"), EROFS, "create mount point /etc/x: Read-only file system: rootfs /srv/rootfs lacks it and cannot take it", 125 },
        { Ops.MountFs("proc", "/proc", MountFlags.NoSuid), EPERM, "mount proc on /proc: Operation not permitted: the executor's /proc has masked or read-only paths", 125 },
        { Ops.MountFs("tmpfs", "/tmp", MountFlags.NoSuid), EPERM, "mount tmpfs on /tmp: Operation not permitted (see runf doctor)", 125 },
        { Ops.Hostname("x"), EBUSY, "set hostname x: Device or resource busy", 125 },
        { Ops.Terminal(new Spec.TerminalSize(24, 80)), ENOTTY, "open a terminal in /dev/pts as stdin, stdout and stderr: Inappropriate ioctl for device: this kernel cannot open a terminal's peer from its master (TIOCGPTPEER needs Linux 4.13): run without -t", 125 },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void A_failed_step_is_named_with_its_fix_and_exit_code(SetupOp op, int errno, string line, int exitCode)
    {
        var e = LaunchErrors.StepFailed(op, errno, Rootfs, Plain);
        Assert.StartsWith(line, e.Message);
        Assert.Equal((exitCode, errno, op), (e.ExitCode, e.Errno, e.Step));
    }

    [Fact]
    public void A_command_missing_from_a_rootfs_without_bin_asks_whether_it_is_one() =>
        Assert.EndsWith("(it has no /bin: is it a root filesystem?)", LaunchErrors.StepFailed(Ops.Exec(["sh"], [], ["/bin/sh"]), ENOENT, Rootfs, new FakeHostProbe()).Message);
}
