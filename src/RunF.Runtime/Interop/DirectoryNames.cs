using System.Text;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Interop;

/// <summary>
/// The regular files in a directory, by name, from getdents64. Every run lists its state
/// directory while the function runs; .NET's file system enumerator costs a runf start more code
/// than the listing.
/// </summary>
internal static unsafe class DirectoryNames
{
    private const int BufferSize = 8192, RecordLengthOffset = 16, TypeOffset = 18, NameOffset = 19;
    private const byte DtUnknown = 0, DtRegular = 8;

    /// <summary>Names of the regular files in path (a file system that does not say is taken at its word).</summary>
    public static List<string> FilesIn(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Error(path);
        }
        try
        {
            var names = new List<string>();
            var buf = stackalloc byte[BufferSize];
            nint n;
            while ((n = Libc.GetDents64(fd, buf, BufferSize)) != 0)
            {
                if (n < 0)
                {
                    if (Libc.LastErrno == Errno.EINTR)
                    {
                        continue;
                    }
                    throw Error(path);
                }
                for (var at = 0; at < n; at += *(ushort*)(buf + at + RecordLengthOffset))
                {
                    var type = buf[at + TypeOffset];
                    var record = new ReadOnlySpan<byte>(buf + at + NameOffset, *(ushort*)(buf + at + RecordLengthOffset) - NameOffset);
                    var end = record.IndexOf((byte)0);
                    if (end >= 0 && type is DtRegular or DtUnknown)
                    {
                        names.Add(Encoding.UTF8.GetString(record[..end]));
                    }
                }
            }
            return names;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static RunfException Error(string path) => new($"cannot list {path}: {Libc.Describe(Libc.LastErrno)}");
}
