using System.Text;
using RunF.Interop;

namespace RunF.Runtime.IO;

/// <summary>Small files (proc, sysfs, cgroup control files, state records) with plain read(2) and write(2).</summary>
internal static unsafe class SmallFiles
{
    /// <summary>Reads a small file (proc, sysfs) with a single read; null if it cannot be opened.</summary>
    public static string? ReadText(string path)
    {
        using var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            return null;
        }
        var buffer = stackalloc byte[4096];
        var n = Libc.Read(fd, buffer, 4096);
        return n < 0 ? null : Encoding.UTF8.GetString(buffer, (int)n);
    }

    /// <summary>
    /// Reads a whole file with plain read(2). Unlike FileStream it takes no flock, so it can read
    /// files that their owner holds locked (state files). Meant for small files. Null if it cannot be opened.
    /// </summary>
    public static byte[]? Read(string path)
    {
        using var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            return null;
        }
        // For small files (a cached seccomp program): an array of the exact size, grown per 8 KiB read.
        byte[] data = [];
        var buffer = stackalloc byte[8192];
        nint n;
        while ((n = Libc.Read(fd, buffer, 8192)) > 0 || (n < 0 && Errno.Last == Errno.EINTR))
        {
            if (n > 0)
            {
                var at = data.Length;
                Array.Resize(ref data, at + (int)n);
                new ReadOnlySpan<byte>(buffer, (int)n).CopyTo(data.AsSpan(at));
            }
        }
        return data;
    }

    /// <summary>Writes a whole small file in one write(2), as /proc control files require. Returns 0 or errno.</summary>
    public static int Write(string path, string text, int flags = Libc.O_WRONLY | Libc.O_CLOEXEC, uint mode = 0)
    {
        using var fd = Libc.Open(path, flags, mode);
        if (fd.IsInvalid)
        {
            return Errno.Last;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        nint written;
        fixed (byte* p = bytes)
        {
            written = Libc.Write(fd, p, bytes.Length);
        }
        return written == bytes.Length ? 0 : written < 0 ? Errno.Last : Errno.EIO;
    }
}
