using RunF.Runtime.Host;

namespace RunF.Runtime.Seccomp;

/// <summary>Whether this process runs under a seccomp filter (an outer container's).</summary>
public static class SeccompStatus
{
    /// <summary>"Seccomp: 2" in /proc/self/status is SECCOMP_MODE_FILTER.</summary>
    public static bool IsFiltered() => Mode() == 2;

    public static int Mode() => int.TryParse(ProcStatus.Field("Seccomp"), out var mode) ? mode : 0;
}
