using System.Runtime.InteropServices;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// The profile format's names and libseccomp's values for them (seccomp.h): actions, argument
/// comparisons and architectures (AUDIT_ARCH_* tokens).
/// </summary>
public static class SeccompNames
{
    public const uint ActKillProcess = 0x80000000, ActKillThread = 0x00000000, ActTrap = 0x00030000,
        ActErrno = 0x00050000, ActTrace = 0x7ff00000, ActLog = 0x7ffc0000, ActAllow = 0x7fff0000;

    public const uint ArchX86_64 = 0xC000003E, ArchX86 = 0x40000003, ArchX32 = 0x4000003E,
        ArchAarch64 = 0xC00000B7, ArchArm = 0x40000028;

    public const int EPERM = 1, ENOSYS = 38;

    /// <summary>The errno names profiles use (Podman's errno, defaultErrno): the generic values, the same on x86_64 and aarch64.</summary>
    public static readonly IReadOnlyDictionary<string, uint> Errnos = new Dictionary<string, uint>
    {
        ["EPERM"] = 1, ["ENOENT"] = 2, ["ESRCH"] = 3, ["EINTR"] = 4, ["EIO"] = 5, ["ENXIO"] = 6, ["E2BIG"] = 7,
        ["ENOEXEC"] = 8, ["EBADF"] = 9, ["ECHILD"] = 10, ["EAGAIN"] = 11, ["ENOMEM"] = 12, ["EACCES"] = 13,
        ["EFAULT"] = 14, ["EBUSY"] = 16, ["EEXIST"] = 17, ["EXDEV"] = 18, ["ENODEV"] = 19, ["ENOTDIR"] = 20,
        ["EISDIR"] = 21, ["EINVAL"] = 22, ["ENFILE"] = 23, ["EMFILE"] = 24, ["ENOTTY"] = 25, ["EFBIG"] = 27,
        ["ENOSPC"] = 28, ["ESPIPE"] = 29, ["EROFS"] = 30, ["EMLINK"] = 31, ["EPIPE"] = 32, ["ERANGE"] = 34,
        ["ENOSYS"] = 38, ["ELOOP"] = 40, ["EOPNOTSUPP"] = 95, ["ENOTSUP"] = 95, ["EAFNOSUPPORT"] = 97,
    };

    /// <summary>Actions without an errno; ERRNO and TRACE take errnoRet. NOTIFY needs a listener RunF has not.</summary>
    private static readonly Dictionary<string, uint> PlainActions = new()
    {
        ["SCMP_ACT_KILL"] = ActKillThread,
        ["SCMP_ACT_KILL_THREAD"] = ActKillThread,
        ["SCMP_ACT_KILL_PROCESS"] = ActKillProcess,
        ["SCMP_ACT_TRAP"] = ActTrap,
        ["SCMP_ACT_LOG"] = ActLog,
        ["SCMP_ACT_ALLOW"] = ActAllow,
    };

    public static readonly IReadOnlyDictionary<string, int> Operators = new Dictionary<string, int>
    {
        ["SCMP_CMP_NE"] = 1,
        ["SCMP_CMP_LT"] = 2,
        ["SCMP_CMP_LE"] = 3,
        ["SCMP_CMP_EQ"] = 4,
        ["SCMP_CMP_GE"] = 5,
        ["SCMP_CMP_GT"] = 6,
        ["SCMP_CMP_MASKED_EQ"] = 7,
    };

    public static readonly IReadOnlyDictionary<string, uint> Architectures = new Dictionary<string, uint>
    {
        ["SCMP_ARCH_X86_64"] = ArchX86_64,
        ["SCMP_ARCH_X86"] = ArchX86,
        ["SCMP_ARCH_X32"] = ArchX32,
        ["SCMP_ARCH_AARCH64"] = ArchAarch64,
        ["SCMP_ARCH_ARM"] = ArchArm,
    };

    /// <summary>The action value for a name, or null when the name is unknown.</summary>
    public static uint? Action(string name, uint errno) => name switch
    {
        "SCMP_ACT_ERRNO" => ActErrno | (errno & 0xffff),
        "SCMP_ACT_TRACE" => ActTrace | (errno & 0xffff),
        _ => PlainActions.TryGetValue(name, out var value) ? value : null,
    };

    public static bool TakesErrno(string action) => action is "SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE";

    /// <summary>The machine's own architecture: the filter always covers it.</summary>
    public static uint Native => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => ArchX86_64,
        Architecture.Arm64 => ArchAarch64,
        var other => throw new Errors.RunfException($"seccomp: unsupported architecture {other} (x86_64 and aarch64 are)"),
    };

    /// <summary>
    /// Architectures whose syscalls a process of the native one can make (x86 int 0x80 and x32 on
    /// x86_64, arm on aarch64). A profile may list them to allow them; the others never occur.
    /// </summary>
    public static IReadOnlyList<uint> CompatibleWith(uint native) => native switch
    {
        ArchX86_64 => [ArchX86, ArchX32],
        ArchAarch64 => [ArchArm],
        _ => [],
    };

    public static string NameOfArch(uint token) => Architectures.First(kv => kv.Value == token).Key;
}
