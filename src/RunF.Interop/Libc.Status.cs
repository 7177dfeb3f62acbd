using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>What statx reports of a file: type and mode bits, owner, link count, size, modification time, identity (device and inode).</summary>
public readonly record struct FileStatus(uint Mode, uint Uid, uint Links, ulong Size, long MtimeNs, ulong Device, ulong Inode)
{
    public uint Type => Mode & Libc.S_IFMT;
}

/// <summary>File status through statx: unlike struct stat, its layout is the same on every architecture.</summary>
public static unsafe partial class Libc
{
    private const uint STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_UID = 0x8, STATX_MTIME = 0x40, STATX_INO = 0x100, STATX_SIZE = 0x200;
    private const uint StatxMask = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_MTIME | STATX_INO | STATX_SIZE;
    private const int StatxSize = 256, NlinkOffset = 0x10, UidOffset = 0x14, ModeOffset = 0x1c, InoOffset = 0x20, SizeOffset = 0x28, MtimeOffset = 0x70,
        DevMajorOffset = 0x88, DevMinorOffset = 0x8c;

    /// <summary>The status of path (flags: AT_SYMLINK_NOFOLLOW to not follow a final symlink); null with errno set.</summary>
    public static FileStatus? Stat(string path, int flags = 0)
    {
        var buffer = stackalloc byte[StatxSize];
        return Statx(AT_FDCWD, path, flags, StatxMask, buffer) == 0 ? Read(buffer) : null;
    }

    /// <summary>Directory.Exists for a path of any bytes (it follows symlinks).</summary>
    public static bool IsDirectory(string path) => Stat(path) is { } status && status.Type == S_IFDIR;

    /// <summary>File.Exists || Directory.Exists for a path of any bytes (it follows symlinks).</summary>
    public static bool Exists(string path) => Stat(path) is not null;

    /// <summary>The status of path beneath dir; null with errno set.</summary>
    public static FileStatus? StatAt(SafeFd dir, string path, int flags)
    {
        var buffer = stackalloc byte[StatxSize];
        return Statx(dir, path, flags, StatxMask, buffer) == 0 ? Read(buffer) : null;
    }

    /// <summary>The status of the file open as fd; null with errno set.</summary>
    public static FileStatus? FStat(SafeFd fd) => StatAt(fd, "", AT_EMPTY_PATH);

    private static FileStatus Read(byte* buffer) => new(
        *(ushort*)(buffer + ModeOffset),
        *(uint*)(buffer + UidOffset),
        *(uint*)(buffer + NlinkOffset),
        *(ulong*)(buffer + SizeOffset),
        *(long*)(buffer + MtimeOffset) * 1_000_000_000 + *(uint*)(buffer + MtimeOffset + 8),
        (ulong)*(uint*)(buffer + DevMajorOffset) << 32 | *(uint*)(buffer + DevMinorOffset),
        *(ulong*)(buffer + InoOffset));

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial int Statx(SafeFd dir, string path, int flags, uint mask, byte* buffer);
}
