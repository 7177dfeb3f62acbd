using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// The errno values runf acts on (asm-generic/errno-base.h and errno.h: the same numbers on
/// x86-64 and arm64), the errno of the last binding called on this thread, and its text.
/// </summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, ENXIO = 6, ENOEXEC = 8, EAGAIN = 11, EACCES = 13, EBUSY = 16, EEXIST = 17,
        EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOTTY = 25, ENOSPC = 28, EROFS = 30, EPIPE = 32, ERANGE = 34, ENOSYS = 38,
        ELOOP = 40, EUSERS = 87, ECONNRESET = 104, ECONNREFUSED = 111;

    /// <summary>
    /// errno as the binding's marshalling stub saved it right after the call (SetLastError):
    /// managed code that ran since (an allocation, a GC) cannot have changed it.
    /// </summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>strerror's text: "No such file or directory".</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
