namespace RunF.Runtime.Seccomp;

/// <summary>Whether this process runs under a seccomp filter (an outer container's).</summary>
public static class SeccompStatus
{
    /// <summary>"Seccomp: 2" in /proc/self/status is SECCOMP_MODE_FILTER.</summary>
    public static bool IsFiltered() => ModeOf(Interop.Libc.ReadSmallFile("/proc/self/status")) == 2;

    internal static int? ModeOf(string? status) =>
        status?.Split('\n').FirstOrDefault(l => l.StartsWith("Seccomp:", StringComparison.Ordinal)) is { } line
        && int.TryParse(line["Seccomp:".Length..].Trim(), out var mode) ? mode : null;
}
