using System.Text;

namespace RunF.Interop;

/// <summary>
/// The entries of a directory, from getdents64 into a stack buffer: less code on runf's start
/// path than .NET's file system enumerator, and no opendir/readdir state to free.
/// </summary>
public static unsafe class DirectoryEntries
{
    private const int BufferSize = 8192, RecordLengthOffset = 16, TypeOffset = 18, NameOffset = 19;

    /// <summary>
    /// Adds each entry of the directory open as dir, but "." and "..", with its d_type (DT_UNKNOWN
    /// where the file system does not say) to entries. Returns 0, or the errno that stopped it.
    /// </summary>
    public static int Read(SafeFd dir, List<(string Name, byte Type)> entries)
    {
        var buffer = stackalloc byte[BufferSize];
        nint n;
        while ((n = Libc.GetDents64(dir, buffer, BufferSize)) != 0)
        {
            if (n < 0)
            {
                var errno = Errno.Last;
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                return errno;
            }
            for (var at = 0; at < n; at += *(ushort*)(buffer + at + RecordLengthOffset))
            {
                var record = new ReadOnlySpan<byte>(buffer + at + NameOffset, *(ushort*)(buffer + at + RecordLengthOffset) - NameOffset);
                var end = record.IndexOf((byte)0);
                var name = end < 0 ? record : record[..end];
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                {
                    entries.Add((PosixString.Decode(name), buffer[at + TypeOffset]));
                }
            }
        }
        return 0;
    }
}
