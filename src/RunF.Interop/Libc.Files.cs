using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>Files and descriptors: open, read, write, lock, remove.</summary>
public static unsafe partial class Libc
{
    // The calls that make a descriptor return a C int: a SafeFd return type would read all of
    // rax, whose upper half is zero, so -1 would come back as 0xFFFFFFFF, a valid-looking handle.
    // They return int, and SafeFd.Own wraps it.

    /// <summary>open(2): an invalid SafeFd on failure, errno in Errno.Last.</summary>
    public static SafeFd Open(string path, int flags, uint mode = 0) => SafeFd.Own(OpenAtRaw(AT_FDCWD, path, flags, mode));

    /// <summary>openat(2): an invalid SafeFd on failure, errno in Errno.Last.</summary>
    public static SafeFd OpenAt(SafeFd dir, string path, int flags, uint mode = 0) => SafeFd.Own(OpenAtRaw(dir, path, flags, mode));

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial int OpenAtRaw(int dirFd, string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial int OpenAtRaw(SafeFd dir, string path, int flags, uint mode);

    /// <summary>
    /// openat2(2) with resolve flags (RESOLVE_IN_ROOT...): ".." and symlinks resolved by the
    /// kernel beneath dir, race-free. glibc has no wrapper.
    /// </summary>
    public static SafeFd OpenAt2(SafeFd dir, string path, int flags, ulong resolve)
    {
        // struct open_how: flags, mode, resolve.
        var how = stackalloc ulong[3] { (ulong)(uint)flags, 0, resolve };
        return SafeFd.Own((int)OpenAt2(SYS_openat2, dir, path, how, 3 * sizeof(ulong)));
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial long OpenAt2(long number, SafeFd dir, string path, ulong* how, nuint size);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeFd fd, byte* buffer, nint count);

    /// <summary>By number: for the descriptors runf was given (its stdio) and one a thread holds a reference on.</summary>
    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(SafeFd fd, byte* buffer, nint count, long offset);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeFd fd, byte* buffer, nint count);

    /// <summary>By number, as Read(int, ...).</summary>
    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    /// <summary>Writes all of bytes, again after a short write or EINTR: 0, or the errno that stopped it.</summary>
    public static int WriteAll(SafeFd fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            for (var at = 0; at < bytes.Length;)
            {
                var n = Write(fd, start + at, bytes.Length - at);
                if (n < 0 && Errno.Last != Errno.EINTR)
                {
                    return Errno.Last;
                }
                at += (int)Math.Max(n, 0);
            }
        }
        return 0;
    }

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(SafeFd fd, byte* buffer, nint count, long offset);

    /// <summary>For SafeFd, and for the descriptors the launcher hands over as numbers.</summary>
    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>fds[0] is the read end, fds[1] the write end.</summary>
    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeFd fd, int operation);

    [LibraryImport(Lib, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int Access(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int Unlink(string path);

    public static SafeFd MemfdCreate(string name, uint flags) => SafeFd.Own(MemfdCreateRaw(name, flags));

    [LibraryImport(Lib, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial int MemfdCreateRaw(string name, uint flags);

    /// <summary>The canonical absolute path, or null when it does not exist (errno in Errno.Last).</summary>
    public static string? RealPath(string path)
    {
        var buffer = stackalloc byte[4096]; // PATH_MAX
        return RealPath(path, buffer) == null ? null : PosixStringMarshaller.ConvertToManaged(buffer);
    }

    [LibraryImport(Lib, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial byte* RealPath(string path, byte* resolved);
}
