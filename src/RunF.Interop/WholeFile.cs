namespace RunF.Interop;

/// <summary>
/// A whole file read with plain read(2): it takes no flock (unlike FileStream, so it reads state
/// files their owner holds locked), works on /proc files that report no size, and opens the path
/// through <see cref="PosixStringMarshaller"/>, so a name that is not UTF-8 is the file it names.
/// </summary>
public static unsafe class WholeFile
{
    /// <summary>The file's bytes, or null when it cannot be opened or read (errno in <see cref="Errno.Last"/>).</summary>
    public static byte[]? Read(string path)
    {
        using var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            return null;
        }
        // For small files (a cached seccomp program, read on every start): an array of the exact
        // size, grown per 8 KiB read, rather than a stream's doubling buffer and a copy.
        byte[] data = [];
        var buffer = stackalloc byte[8192];
        while (true)
        {
            var n = Libc.Read(fd, buffer, 8192);
            if (n == 0)
            {
                return data;
            }
            if (n < 0)
            {
                if (Errno.Last == Errno.EINTR)
                {
                    continue;
                }
                return null;
            }
            var at = data.Length;
            Array.Resize(ref data, at + (int)n);
            new ReadOnlySpan<byte>(buffer, (int)n).CopyTo(data.AsSpan(at));
        }
    }
}
