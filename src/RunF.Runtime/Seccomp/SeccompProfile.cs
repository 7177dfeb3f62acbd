using System.Text.Json;
using System.Text.Json.Serialization;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// A seccomp profile in the Docker/OCI format (linux.seccomp of the runtime spec), as read from
/// JSON. Values stay strings here so that validation can name the field that is wrong.
/// </summary>
public sealed record SeccompProfile
{
    public string? DefaultAction { get; init; }

    /// <summary>The errno of SCMP_ACT_ERRNO and SCMP_ACT_TRACE default actions (EPERM when absent).</summary>
    public uint? DefaultErrnoRet { get; init; }

    /// <summary>SCMP_ARCH_* names; empty means the native architecture only.</summary>
    public IReadOnlyList<string>? Architectures { get; init; }

    public IReadOnlyList<SyscallRule>? Syscalls { get; init; }

    /// <summary>Fields RunF does not know (archMap, flags, listenerPath...): refused, by name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>One action for a set of syscalls, optionally only when all argument conditions hold.</summary>
public sealed record SyscallRule
{
    public IReadOnlyList<string>? Names { get; init; }
    public string? Action { get; init; }
    public uint? ErrnoRet { get; init; }
    public IReadOnlyList<ArgCondition>? Args { get; init; }

    /// <summary>Docker's free-text note; ignored.</summary>
    public string? Comment { get; init; }

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
