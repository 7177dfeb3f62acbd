using System.Runtime.InteropServices;

namespace RunF.RootfsTools;

/// <summary>
/// An image's platform as OCI and Docker name it (os/architecture[/variant], Go's GOOS and
/// GOARCH), the host's, and the architecture an ELF header names: what `rootfs ls` shows, what
/// an image index is resolved with, and what a failed exec ("exec format error") is explained by.
/// </summary>
public sealed record Platform(string Os, string Architecture, string? Variant = null)
{
    /// <summary>The platform this process runs on.</summary>
    public static Platform Host { get; } = new("linux", HostArchitecture(), RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Armv6 ? "v6" : null);

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary>
    /// Whether an image for this platform is the one `wanted` asks for: os and architecture
    /// equal, and the variant when both name one (arm64 images rarely do, arm ones do).
    /// </summary>
    public bool Matches(Platform wanted) =>
        Os == wanted.Os && Architecture == wanted.Architecture && (Variant is null || wanted.Variant is null || Variant == wanted.Variant);

    /// <summary>Parses --platform: "linux/arm64", "linux/arm/v7" or just "arm64" (os linux).</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Any(p => p.Length == 0) || parts.Length > 3)
        {
            throw new RootfsException($"invalid --platform \"{text}\"; use OS/ARCH[/VARIANT] as docker does, e.g. linux/amd64 or linux/arm/v7");
        }
        return parts.Length == 1 ? new Platform("linux", Normalize(parts[0])) : new Platform(parts[0], Normalize(parts[1]), parts.Length == 3 ? parts[2] : null);
    }

    // Names other tools (uname -m, Debian) use for the same architectures.
    private static string Normalize(string arch) => arch switch
    {
        "x86_64" or "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" or "i686" => "386",
        _ => arch,
    };

    private static string HostArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm or System.Runtime.InteropServices.Architecture.Armv6 => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// The GOARCH name of an ELF header's e_machine (with its class and byte order, where one
    /// machine number has several), or null for a machine no container image is built for.
    /// </summary>
    public static string? ElfArchitecture(ushort machine, bool is64Bit, bool littleEndian) => machine switch
    {
        0x3E => "amd64",
        0xB7 => "arm64",
        0x28 => "arm",
        0x03 => "386",
        0x16 => "s390x",
        0x15 => littleEndian ? "ppc64le" : "ppc64",
        0xF3 => is64Bit ? "riscv64" : "riscv32",
        0x08 => (is64Bit ? "mips64" : "mips") + (littleEndian ? "le" : ""),
        0x102 => "loong64",
        _ => null,
    };
}
