namespace RunF.Runtime.Interop;

/// <summary>The errno values the runtime acts on (asm-generic/errno-base.h and errno.h).</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EACCES = 13,
        EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EINVAL = 22, ENOSPC = 28, EROFS = 30, EPIPE = 32, ELOOP = 40, EUSERS = 87, ECONNRESET = 104, ECONNREFUSED = 111;
}
