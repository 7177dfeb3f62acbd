using System.Runtime.InteropServices;
using RunF.Interop;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// The few libseccomp calls the compiler needs. Debian's libseccomp2 ships only the versioned
/// name; it is loaded on first use, so runs that hit the cache never load it.
/// </summary>
internal static unsafe partial class Libseccomp
{
    private const string Lib = "libseccomp.so.2";

    /// <summary>scmp_filter_attr values.</summary>
    public const int AttrBadArchAction = 2, AttrOptimize = 8;

    /// <summary>__NR_SCMP_ERROR: the name is no syscall on any architecture libseccomp knows.</summary>
    public const int UnknownSyscall = -1;

    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Lib, EntryPoint = "seccomp_init")]
    public static partial nint Init(uint defaultAction);

    [LibraryImport(Lib, EntryPoint = "seccomp_release")]
    public static partial void Release(nint ctx);

    [LibraryImport(Lib, EntryPoint = "seccomp_attr_set")]
    public static partial int AttrSet(nint ctx, int attribute, uint value);

    [LibraryImport(Lib, EntryPoint = "seccomp_arch_add")]
    public static partial int ArchAdd(nint ctx, uint arch);

    [LibraryImport(Lib, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ResolveName(string name);

    [LibraryImport(Lib, EntryPoint = "seccomp_rule_add_array")]
    public static partial int RuleAddArray(nint ctx, uint action, int syscall, uint count, ArgCmp* args);

    [LibraryImport(Lib, EntryPoint = "seccomp_export_bpf")]
    public static partial int ExportBpf(nint ctx, SafeFd fd);
}
