using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// No mount changes: the container holds no CAP_SYS_ADMIN. There is no seccomp filter, so a
/// nested user namespace (with a mount and PID namespace) can be created and holds every
/// capability over them; what protects the masked view then is the kernel's locking of the
/// mounts inherited from a more privileged mount namespace (umount: EINVAL, remount: EPERM) and
/// its refusal to mount a proc that would reveal more than the existing, partly covered one
/// (mount_too_revealing: EPERM). A nested user namespace cannot even map an id: the container
/// has only uid 0, and mapping the parent's root needs CAP_SETFCAP (verify_root_map).
/// </summary>
[Collection(AttackCollection.Name)]
public class MountAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "mounts")
{
    [Theory]
    [InlineData("mount tmpfs on /mnt", "mount", "tmpfs", "none", "/mnt")]
    [InlineData("mount proc on /tmp", "mount", "proc", "proc", "/tmp")]
    [InlineData("bind /proc on /mnt", "bind", "/proc", "/mnt")]
    [InlineData("unmount the /proc/keys mask", "umount", "/proc/keys")]
    [InlineData("unmount /proc/sys", "umount", "/proc/sys")]
    [InlineData("remount / read-write", "remount-rw", "/")]
    [InlineData("remount /sys read-write", "remount-rw", "/sys")]
    public void Fails_with_EPERM(string attack, params string[] probeArgs) => Blocked(attack, "EPERM", probeArgs);

    [Fact]
    public void A_nested_user_namespace_cannot_unmask_proc()
    {
        // The default seccomp filter already refuses the nested namespace; without it, the mounts still hold.
        Outcome("nested userns under the default seccomp filter", World.Probe("nested-proc").Split('\n')[0], "unshare EPERM");
        var steps = World.ProbeUnconfined("nested-proc").Split('\n')
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);
        Outcome("nested userns: map container root (uid_map)", steps["uid_map"], "EPERM");
        Outcome("nested userns: unmount the /proc/keys mask", steps["umount-mask"], "EINVAL");
        Outcome("nested userns: fresh proc over /proc", steps["mount-proc"], "EPERM");
        Outcome("nested userns: fresh proc on /tmp", steps["mount-proc-tmp"], "EPERM");
        Outcome("nested userns: read /proc/keys afterwards", steps["keys"], "ok 0");
        Outcome("nested userns: remount / read-write", steps["remount-root-rw"], "EPERM");
        // What an attacker does get, stated so that a change is noticed: the namespaces themselves.
        Assert.Equal("ok", steps["unshare"]);
    }
}
