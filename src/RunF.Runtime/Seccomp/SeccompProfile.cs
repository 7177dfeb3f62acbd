using System.Text.Json;
using System.Text.Json.Serialization;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// A seccomp profile in the OCI format (linux.seccomp of the runtime spec) or Docker's and
/// Podman's (archMap, includes and excludes, errno names), as read from JSON. Values stay
/// strings here so that validation can name the field that is wrong.
/// </summary>
public sealed record SeccompProfile
{
    public string? DefaultAction { get; init; }

    /// <summary>The errno of SCMP_ACT_ERRNO and SCMP_ACT_TRACE default actions (EPERM when absent).</summary>
    public uint? DefaultErrnoRet { get; init; }

    /// <summary>Podman's name for it ("ENOSYS"); DefaultErrnoRet wins.</summary>
    public string? DefaultErrno { get; init; }

    /// <summary>SCMP_ARCH_* names; empty means the native architecture only (or archMap's entry for it).</summary>
    public IReadOnlyList<string>? Architectures { get; init; }

    /// <summary>Docker's: per architecture, its sub-architectures; the native entry is used when architectures is empty.</summary>
    public IReadOnlyList<ArchMapEntry>? ArchMap { get; init; }

    public IReadOnlyList<SyscallRule>? Syscalls { get; init; }

    /// <summary>Fields RunF does not know (archMap, flags, listenerPath...): refused, by name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>One action for a set of syscalls, optionally only when all argument conditions hold.</summary>
public sealed record SyscallRule
{
    public IReadOnlyList<string>? Names { get; init; }

    /// <summary>Docker's older single name.</summary>
    public string? Name { get; init; }
    public string? Action { get; init; }
    public uint? ErrnoRet { get; init; }

    /// <summary>Podman's name for it ("EPERM"); ErrnoRet wins.</summary>
    public string? Errno { get; init; }
    public IReadOnlyList<ArgCondition>? Args { get; init; }

    /// <summary>Docker's: the rule applies only with all of these capabilities, on these architectures, from this kernel on.</summary>
    public RuleFilter? Includes { get; init; }

    /// <summary>Docker's: the rule does not apply with any of these capabilities, or on these architectures.</summary>
    public RuleFilter? Excludes { get; init; }

    /// <summary>Docker's free-text note; ignored.</summary>
    public string? Comment { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>Docker's archMap entry: an architecture and the ones its processes can also use.</summary>
public sealed record ArchMapEntry
{
    public string? Architecture { get; init; }
    public IReadOnlyList<string>? SubArchitectures { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>Docker's includes/excludes: capability names (CAP_*), Go architecture names (amd64, arm64), a kernel version ("4.8").</summary>
public sealed record RuleFilter
{
    public IReadOnlyList<string>? Caps { get; init; }
    public IReadOnlyList<string>? Arches { get; init; }
    public string? MinKernel { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>
/// A comparison of syscall argument Index with Value (for SCMP_CMP_MASKED_EQ: Value is the mask
/// and ValueTwo what the masked argument must equal), as libseccomp's scmp_arg_cmp.
/// </summary>
public sealed record ArgCondition
{
    public uint Index { get; init; }
    public ulong Value { get; init; }
    public ulong ValueTwo { get; init; }
    public string? Op { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>Source-generated (de)serialization: the binary is NativeAOT, no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(SeccompProfile))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
