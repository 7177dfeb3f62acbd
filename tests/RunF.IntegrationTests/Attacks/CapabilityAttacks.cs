using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>Only AUDIT_WRITE, KILL and NET_BIND_SERVICE: everything else a root would do fails.</summary>
[Collection(AttackCollection.Name)]
public class CapabilityAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "capabilities")
{
    [Fact]
    public void Chown_of_a_file_it_does_not_own_fails_with_EPERM() =>
        // /dev/null is the host's (owner unmapped): taking it needs CAP_CHOWN.
        Blocked("chown /dev/null to container root", "EPERM", "chown", "/dev/null", "0");

    [Fact]
    public void Chown_to_another_id_fails_with_EINVAL() =>
        // Only uid 0 exists in the container: any other id has no mapping.
        Blocked("chown /tmp to uid 1", "EINVAL", "chown", "/tmp", "1");

    [Fact]
    public void Setuid_to_another_id_fails_with_EINVAL() => Blocked("setuid(1)", "EINVAL", "setuid", "1");

    [Fact]
    public void Changing_the_hostname_fails_with_EPERM() => Blocked("sethostname", "EPERM", "sethostname", "other");

    [Fact]
    public void Loading_a_module_fails()
    {
        // The seccomp filter denies it before the kernel checks capabilities or module support.
        Blocked("init_module", "EPERM", "init-module");
    }

    [Fact]
    public void Chroot_fails_with_EPERM() => Blocked("chroot /tmp (then climb with ..)", "EPERM", "chroot-escape");
}
