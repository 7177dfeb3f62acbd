using RunF.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.Host;

/// <summary>Fields of /proc/self/status: what this process runs under (capabilities, seccomp).</summary>
internal static class ProcStatus
{
    public const int CapSetfcap = 31;

    public static string? Field(string name) => FieldOf(SmallFiles.ReadText("/proc/self/status"), name);

    /// <summary>The value of "Name:\tvalue" in a status text, trimmed.</summary>
    public static string? FieldOf(string? status, string name)
    {
        var prefix = name + ":";
        return status?.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim();
    }

    public static bool HasEffectiveCapability(int cap) =>
        ulong.TryParse(Field("CapEff"), System.Globalization.NumberStyles.HexNumber, null, out var mask) && (mask & (1UL << cap)) != 0;
}
