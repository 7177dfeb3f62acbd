using Microsoft.Win32.SafeHandles;

namespace RunF.Interop;

/// <summary>
/// A file descriptor closed by scope (using), as crun's cleanup_close. Invalid (-1) when the call
/// that made it failed: errno is then in Errno.Last.
/// </summary>
public sealed class SafeFd : SafeHandleMinusOneIsInvalid
{
    private SafeFd(int fd, bool ownsHandle) : base(ownsHandle)
    {
        SetHandle(fd);
    }

    /// <summary>Takes ownership of a descriptor made elsewhere (native code, pipe2): closed on Dispose.</summary>
    public static SafeFd Own(int fd) => new(fd, ownsHandle: true);

    /// <summary>A descriptor runf was given and must not close (--report-fd).</summary>
    public static SafeFd Borrow(int fd) => new(fd, ownsHandle: false);

    /// <summary>Hands the descriptor over to a SafeFileHandle, for FileStream and RandomAccess, which closes it from then on.</summary>
    public SafeFileHandle ToFileHandle()
    {
        var file = new SafeFileHandle(handle, ownsHandle: true);
        SetHandleAsInvalid();
        return file;
    }

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
