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
