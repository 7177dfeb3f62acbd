using System.Text;

namespace RunF.Runtime.Interop;

/// <summary>
/// A directory's entry names from getdents64. Every run lists its state directory while the
/// function runs; .NET's file system enumerator costs a runf start more code than the listing.
/// </summary>
internal static unsafe class DirectoryNames
{
    private const int BufferSize = 8192, RecordLengthOffset = 16, NameOffset = 19;

    /// <summary>The names in path other than "." and "..", or an empty list if it cannot be read.</summary>
    public static List<string> Of(string path)
    {
        var names = new List<string>();
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return names;
        }
        var buf = stackalloc byte[BufferSize];
        nint n;
        while ((n = Libc.GetDents64(fd, buf, BufferSize)) > 0 || (n < 0 && Libc.LastErrno == Errno.EINTR))
        {
            for (var at = 0; at < n; at += *(ushort*)(buf + at + RecordLengthOffset))
            {
                var name = new ReadOnlySpan<byte>(buf + at + NameOffset, BufferSize - at - NameOffset);
                name = name[..name.IndexOf((byte)0)];
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                {
                    names.Add(Encoding.UTF8.GetString(name));
                }
            }
        }
        Libc.Close(fd);
        return names;
    }
}
