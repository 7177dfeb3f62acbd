using RunF.Runtime.Spec;

namespace RunF.Runtime.Plan;

/// <summary>
/// The container's Landlock domain. Sharing the executor's network namespace hands a function
/// every abstract unix socket in it (a host D-Bus, a containerd shim's API: the class of
/// CVE-2020-15257); the domain scopes abstract sockets and signals to the container (ABI 6,
/// Linux 6.12) and, where asked, denies binding TCP ports (ABI 4, Linux 6.7). Unprivileged, and
/// nested under any outer Landlock domain. What this kernel lacks is left out and said, never
/// a failed run.
/// </summary>
public static class LandlockConfinement
{
    public const int NetworkAbi = 4, ScopeAbi = 6;

    private const ulong AccessNetBindTcp = 1, ScopeAbstractUnixSocket = 1, ScopeSignal = 2;

    /// <summary>The step for this kernel (null when it can enforce none of it), and what it leaves out.</summary>
    public static (SetupOp? Step, IReadOnlyList<string> LeftOut) For(TcpBindPolicy bind, int abi)
    {
        var leftOut = new List<string>();
        var parts = new List<string>();
        ulong scoped = 0, handledNet = 0;
        if (abi >= ScopeAbi)
        {
            scoped = ScopeAbstractUnixSocket | ScopeSignal;
            parts.Add("abstract unix sockets and signals scoped to the container");
        }
        else
        {
            leftOut.Add($"abstract unix socket and signal scoping (needs Landlock ABI {ScopeAbi}, Linux 6.12; {Have(abi)})");
        }
        if (!bind.AllowsAny)
        {
            if (abi >= NetworkAbi)
            {
                handledNet = AccessNetBindTcp;
                parts.Add($"TCP bind: {bind}");
            }
            else
            {
                leftOut.Add($"--net-bind {bind} (needs Landlock ABI {NetworkAbi}, Linux 6.7; {Have(abi)})");
            }
        }
        var step = parts.Count == 0
            ? null
            : Ops.Landlock(handledNet, scoped, handledNet != 0 ? bind.Ports! : [], $"enter a Landlock domain: {string.Join("; ", parts)}");
        return (step, leftOut);
    }

    private static string Have(int abi) => abi == 0 ? "this kernel has no Landlock, or a seccomp filter hides it" : $"this kernel has ABI {abi}";
}
