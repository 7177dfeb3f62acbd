using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>Directories and names in them: make, remove, link, rename, list.</summary>
public static unsafe partial class Libc
{
    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int MkDir(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int MkDirAt(SafeFd dir, string path, uint mode);

    /// <summary>A named pipe (the OCI exec fifo).</summary>
    [LibraryImport(Lib, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int MkFifo(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int RmDir(string path);

    /// <summary>flags: AT_REMOVEDIR to remove an empty directory.</summary>
    [LibraryImport(Lib, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int UnlinkAt(SafeFd dir, string path, int flags);

    [LibraryImport(Lib, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int SymlinkAt(string target, SafeFd dir, string path);

    [LibraryImport(Lib, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int LinkAt(SafeFd oldDir, string oldPath, SafeFd newDir, string newPath, int flags);

    [LibraryImport(Lib, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int MknodAt(SafeFd dir, string path, uint mode, ulong device);

    /// <summary>renameat2(2) between paths relative to the working directory; flags: RENAME_NOREPLACE.</summary>
    public static int Rename(string from, string to, uint flags) => RenameAt2(AT_FDCWD, from, AT_FDCWD, to, flags);

    [LibraryImport(Lib, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    /// <summary>Fills buffer with struct linux_dirent64 records; 0 at the end, -1 with errno set. glibc 2.30+.</summary>
    [LibraryImport(Lib, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(SafeFd dir, byte* buffer, nint size);
}
