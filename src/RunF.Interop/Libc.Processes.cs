using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// Processes: wait, signal through a pidfd, exec. A pidfd stays a number: the launcher makes it
/// and the signal relay (native/) reads it.
/// </summary>
public static unsafe partial class Libc
{
    [LibraryImport(Lib, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    /// <summary>struct rusage is 144 bytes: utime and stime timevals, then ru_maxrss (KiB) and 13 more longs.</summary>
    [LibraryImport(Lib, EntryPoint = "wait4", SetLastError = true)]
    public static partial int Wait4(int pid, out int status, int options, long* rusage);

    /// <summary>A pidfd for a running process, or -1: signals through it cannot hit a later process that reuses the pid.</summary>
    public static int PidfdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0, 0, 0);

    /// <summary>Signals a process by its pidfd: immune to pid reuse after it was reaped.</summary>
    public static int PidfdSendSignal(int pidFd, int signal) => (int)Syscall(SYS_pidfd_send_signal, pidFd, signal, 0, 0);

    /// <summary>Moves the calling thread into the namespace fd refers to (nstype a CLONE_NEW* flag, or 0).</summary>
    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(SafeFd fd, int nstype);

    /// <summary>Sets the file mode creation mask (inherited by a cloned child); returns the previous one.</summary>
    [LibraryImport(Lib, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    /// <summary>Replaces this process; returns only on failure (-1, errno set).</summary>
    [LibraryImport(Lib, EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int Execv(string path, string?[] argv);
}
