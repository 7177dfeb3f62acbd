using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Runtime.IO;

/// <summary>Files of a rootfs as a container will see them.</summary>
internal static unsafe class RootfsFiles
{
    /// <summary>The most ReadInRoot takes: account files are a few KiB, and the rootfs is untrusted.</summary>
    private const int MaxRead = 4 << 20;

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
        using var fd = OpenInRoot(rootFd, path);
        return fd.IsInvalid ? null : Libc.FStat(fd)?.Mode;
    }

    /// <summary>
    /// The text of a regular file at path resolved beneath root as ModeInRoot resolves it (an
    /// image's /etc/passwd), or null when there is none. It is opened as a path first and read
    /// only once it is known to be a regular file: a FIFO or device planted there is not opened.
    /// </summary>
    public static string? ReadInRoot(string root, string path)
    {
        using var rootFd = Libc.Open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (rootFd.IsInvalid)
        {
            throw RunfException.FromIoError("open rootfs", root, Errno.Last);
        }
        using var pathFd = OpenInRoot(rootFd, path);
        var shown = root.TrimEnd('/') + path;
        if (pathFd.IsInvalid)
        {
            return Errno.Last is Errno.ENOENT or Errno.ENOTDIR ? null : throw RunfException.FromIoError("open", shown, Errno.Last);
        }
        if (Libc.FStat(pathFd) is not { } status || status.Type != Libc.S_IFREG || status.Size > MaxRead)
        {
            throw new RunfException($"cannot read {shown}: it is not a regular file of at most {MaxRead >> 20} MiB");
        }
        using var fd = Libc.Open($"/proc/self/fd/{pathFd.DangerousGetHandle()}", Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            throw RunfException.FromIoError("open", shown, Errno.Last);
        }
        var data = new byte[status.Size];
        var got = 0;
        fixed (byte* p = data)
        {
            while (got < data.Length)
            {
                var n = Libc.Read(fd, p + got, data.Length - got);
                if (n < 0 && Errno.Last == Errno.EINTR)
                {
                    continue;
                }
                if (n < 0)
                {
                    throw RunfException.FromIoError("read", shown, Errno.Last);
                }
                if (n == 0)
                {
                    break;
                }
                got += (int)n;
            }
        }
        return PosixString.Decode(data.AsSpan(0, got));
    }

    /// <summary>
    /// The first bytes (at most max) of the regular file at path beneath root, resolved as
    /// <see cref="ModeInRoot"/> and opened as <see cref="ReadInRoot"/> opens it; null when it
    /// cannot be read (for an error report: the plain errno line remains).
    /// </summary>
    public static byte[]? HeadInRoot(string root, string path, int max)
    {
        using var rootFd = Libc.Open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (rootFd.IsInvalid)
        {
            return null;
        }
        using var pathFd = OpenInRoot(rootFd, path);
        if (pathFd.IsInvalid || Libc.FStat(pathFd) is not { Type: Libc.S_IFREG })
        {
            return null;
        }
        using var fd = Libc.Open($"/proc/self/fd/{pathFd.DangerousGetHandle()}", Libc.O_RDONLY | Libc.O_CLOEXEC);
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

    private static SafeFd OpenInRoot(SafeFd root, string path) =>
        Libc.OpenAt2(root, path, Libc.O_PATH | Libc.O_CLOEXEC, Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_IN_ROOT);
}
