using System.Text.Json;
using System.Text.Json.Serialization;
using RunF.Runtime.Seccomp;

namespace RunF.Runtime.Oci;

/// <summary>
/// A bundle's config.json (OCI runtime-spec 1.0 to 1.2), as read. Only the fields runf honours
/// are modelled; every other field lands in an object's Unknown and is refused by name unless it
/// is empty (OciConfigLoader): nothing a config asks for is dropped silently.
/// </summary>
public sealed record OciConfig
{
    /// <summary>Properties that runtime-spec does not define: ignored, as the spec requires, each with a warning (OciConfigLoader).</summary>
    [JsonIgnore]
    public List<string> NotInSpec { get; } = [];

    public string? OciVersion { get; init; }
    public OciRoot? Root { get; init; }
    public IReadOnlyList<OciMount>? Mounts { get; init; }
    public OciProcess? Process { get; init; }
    public string? Hostname { get; init; }
    public string? Domainname { get; init; }
    public OciHooks? Hooks { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
    public OciLinux? Linux { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciRoot
{
    public string? Path { get; init; }
    public bool Readonly { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciMount
{
    public string? Destination { get; init; }
    public string? Type { get; init; }
    public string? Source { get; init; }
    public IReadOnlyList<string>? Options { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciProcess
{
    public bool Terminal { get; init; }
    public OciConsoleSize? ConsoleSize { get; init; }
    public OciUser? User { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public string? Cwd { get; init; }
    public OciCapabilities? Capabilities { get; init; }
    public IReadOnlyList<OciRlimit>? Rlimits { get; init; }
    public bool NoNewPrivileges { get; init; }
    public int? OomScoreAdj { get; init; }

    /// <summary>Ignored with a warning: runf confines with its own seccomp filter, masks and Landlock, not LSM profiles.</summary>
    public string? ApparmorProfile { get; init; }
    public string? SelinuxLabel { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciConsoleSize
{
    public ushort Height { get; init; }
    public ushort Width { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciUser
{
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public uint? Umask { get; init; }
    public IReadOnlyList<uint>? AdditionalGids { get; init; }

    /// <summary>Windows's; ignored on Linux, as runc does.</summary>
    public string? Username { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciCapabilities
{
    public IReadOnlyList<string>? Bounding { get; init; }
    public IReadOnlyList<string>? Effective { get; init; }
    public IReadOnlyList<string>? Inheritable { get; init; }
    public IReadOnlyList<string>? Permitted { get; init; }
    public IReadOnlyList<string>? Ambient { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciRlimit
{
    public string? Type { get; init; }
    public ulong Hard { get; init; }
    public ulong Soft { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciHooks
{
    public IReadOnlyList<OciHook>? Prestart { get; init; }
    public IReadOnlyList<OciHook>? CreateRuntime { get; init; }
    public IReadOnlyList<OciHook>? CreateContainer { get; init; }
    public IReadOnlyList<OciHook>? StartContainer { get; init; }
    public IReadOnlyList<OciHook>? Poststart { get; init; }
    public IReadOnlyList<OciHook>? Poststop { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciHook
{
    public string? Path { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public int? Timeout { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciLinux
{
    public IReadOnlyList<OciIdMapping>? UidMappings { get; init; }
    public IReadOnlyList<OciIdMapping>? GidMappings { get; init; }
    public Dictionary<string, string>? Sysctl { get; init; }
    public OciResources? Resources { get; init; }
    public string? CgroupsPath { get; init; }
    public IReadOnlyList<OciNamespace>? Namespaces { get; init; }
    public IReadOnlyList<OciDevice>? Devices { get; init; }
    public SeccompProfile? Seccomp { get; init; }
    public string? RootfsPropagation { get; init; }
    public IReadOnlyList<string>? MaskedPaths { get; init; }
    public IReadOnlyList<string>? ReadonlyPaths { get; init; }

    /// <summary>Ignored with a warning, as process.selinuxLabel.</summary>
    public string? MountLabel { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciIdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; init; }

    [JsonPropertyName("hostID")]
    public uint HostId { get; init; }

    public uint Size { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciNamespace
{
    public string? Type { get; init; }
    public string? Path { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciDevice
{
    public string? Type { get; init; }
    public string? Path { get; init; }
    public long Major { get; init; }
    public long Minor { get; init; }
    public uint? FileMode { get; init; }
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciResources
{
    public IReadOnlyList<OciDeviceRule>? Devices { get; init; }
    public OciMemory? Memory { get; init; }
    public OciCpu? Cpu { get; init; }
    public OciPids? Pids { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciDeviceRule
{
    public bool Allow { get; init; }
    public string? Type { get; init; }
    public long? Major { get; init; }
    public long? Minor { get; init; }
    public string? Access { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciMemory
{
    public long? Limit { get; init; }
    public long? Swap { get; init; }
    public long? Reservation { get; init; }
    public ulong? Swappiness { get; init; }
    public bool? DisableOOMKiller { get; init; }

    /// <summary>Kernel memory limits: gone from cgroup v1 since Linux 6.1 (runc ignores them too); warned about.</summary>
    public long? Kernel { get; init; }
    public long? KernelTCP { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciCpu
{
    public ulong? Shares { get; init; }
    public long? Quota { get; init; }
    public ulong? Period { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed record OciPids
{
    public long Limit { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>Source-generated reading: the binary is NativeAOT, no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(OciConfig))]
[JsonSerializable(typeof(OciProcess))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
