using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// The system calls glibc has no wrapper for, through syscall(2). Their numbers are above 402,
/// in the table every architecture has shared since Linux 5.1, so one value serves x86-64 and
/// arm64 alike (older calls differ: getdents64 is 217 on x86-64 and 61 on arm64, which is why
/// runf calls those through glibc).
/// </summary>
public static partial class Libc
{
    internal const long SYS_pidfd_send_signal = 424, SYS_pidfd_open = 434, SYS_openat2 = 437, SYS_landlock_create_ruleset = 444;

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b, long c, long d);
}
