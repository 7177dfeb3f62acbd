using RunF.Interop;

namespace RunF.Runtime.IO;

/// <summary>Files of a rootfs as a container will see them.</summary>
internal static class RootfsFiles
{
    /// <summary>
    /// The st_mode of path resolved beneath root as the container will see it (".." and absolute
    /// symlinks stop at root, magic links are refused), or null when it is not there.
    /// </summary>
    public static uint? ModeInRoot(string root, string path)
    {
        using var rootFd = Libc.Open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (rootFd.IsInvalid)
        {
            return null;
        }
        using var fd = Libc.OpenAt2(rootFd, path, Libc.O_PATH | Libc.O_CLOEXEC, Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_IN_ROOT);
        return fd.IsInvalid ? null : Libc.FStat(fd)?.Mode;
    }

    /// <summary>The first bytes (at most max) of the file at path beneath root, resolved as <see cref="ModeInRoot"/>; null when it cannot be read.</summary>
    public static unsafe byte[]? HeadInRoot(string root, string path, int max)
    {
        using var rootFd = Libc.Open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (rootFd.IsInvalid)
        {
            return null;
        }
        // O_NONBLOCK: a fifo put there since must not hang the error report.
        using var fd = Libc.OpenAt2(rootFd, path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_IN_ROOT);
        if (fd.IsInvalid)
        {
            return null;
        }
        var head = new byte[max];
        fixed (byte* p = head)
        {
            nint n = Libc.PRead(fd, p, max, 0);
            return n < 0 ? null : head[..(int)n];
        }
    }
}
