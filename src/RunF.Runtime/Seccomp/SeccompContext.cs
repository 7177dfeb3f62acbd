using System.Runtime.InteropServices;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// What Docker's conditional rules are decided by: the container's capabilities (its bounding
/// set), the machine's architecture as Go names it (includes.arches), and the kernel's version
/// (includes.minKernel). As moby and containers/common decide them.
/// </summary>
public sealed record SeccompContext(IReadOnlySet<string> Capabilities, string GoArch, Version Kernel)
{
    /// <summary>This machine, for a container with these capabilities (CAP_* names).</summary>
    public static SeccompContext Host(IEnumerable<string> capabilities) =>
        new(capabilities.ToHashSet(StringComparer.Ordinal), GoArchOf(RuntimeInformation.OSArchitecture), KernelVersion());

    private static string GoArchOf(Architecture arch) => arch switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>"6.18.0-foo" as 6.18.0; 0.0 when unreadable (then no minKernel rule applies).</summary>
    private static Version KernelVersion() =>
        ParseKernel(IO.SmallFiles.ReadText("/proc/sys/kernel/osrelease")?.Trim() ?? "") ?? new Version(0, 0);

    /// <summary>The leading dotted numbers of a kernel release ("4.8", "6.18.0-rc1").</summary>
    public static Version? ParseKernel(string text)
    {
        var numbers = text.Split('-', '+', '_')[0].Split('.').Take(3).ToArray();
        // TryParse: a part beyond int.MaxValue ("99999999999.1") is not a version either.
        return numbers.Length >= 2 && numbers.All(n => n.Length > 0 && n.All(char.IsAsciiDigit))
            && Version.TryParse(string.Join('.', numbers), out var version)
            ? version
            : null;
    }
}
