using RunF.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// Setuid binaries in the rootfs gain nothing. What is meaningful in a user namespace: the
/// container has one uid, 0, mapped to the caller, so no setuid bit can change its uid; a
/// setuid file owned by a uid with no mapping (host root, as when root extracted the image) is
/// never honoured by the kernel; a setuid-root file owned by the caller (container root) is
/// what would grant a full permitted set on exec to a root without no_new_privs and a bounded
/// bounding set. The test proves that after exec of either, the process keeps exactly the three
/// capabilities and no_new_privs. Non-root ids inside (--user), the case no_new_privs alone
/// guards, are attacked in UserAttacks.
/// </summary>
[Collection(AttackCollection.Name)]
public class SetuidAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "no_new_privs, setuid")
{
    private const string Unchanged = "uid 0 0 0 caps 0000000020000420 nnp 1";

    [Theory]
    [InlineData("0:0", "06755", "host root (unmapped)")]
    [InlineData("40000:40000", "06755", "the caller (container root)")]
    public void Exec_of_a_setuid_binary_keeps_the_three_capabilities(string owner, string mode, string who)
    {
        var rootfs = World.WithProbe("setuid");
        var suid = Path.Combine(rootfs, "bin", "suid");
        Shell.Run("install", "-m", mode, "-o", owner.Split(':')[0], "-g", owner.Split(':')[1], World.ProbeBinary, suid);
        Outcome($"exec setuid binary owned by {who}", World.RunIn(rootfs, "suid", "creds"), Unchanged);
    }
}
