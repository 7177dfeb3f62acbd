using System.Runtime.InteropServices;

namespace RunF.RootfsTools.Safety;

/// <summary>
/// The libc calls the extractor needs that .NET does not expose with *at / no-follow semantics.
/// Flag values differ between x64 and arm64 for a few open flags, so those are computed once.
/// </summary>
internal static unsafe partial class Native
{
    private const string LibC = "libc";

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtRemoveDir = 0x200;
    public const int AtEmptyPath = 0x1000;

    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int ORdWr = 2;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int OPath = 0x200000;
    public static readonly int ODirectory = IsArm ? 0x4000 : 0x10000;
    public static readonly int ONoFollow = IsArm ? 0x8000 : 0x20000;

    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveInRoot = 0x10;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EExist = 17;
    public const int ENotDir = 20;
    public const int EIsDir = 21;
    public const int ENoSpc = 28;
    public const int ENotEmpty = 39;
    public const int ELoop = 40;
    public const int EAgain = 11;
    public const int ENoSys = 38;

    public const uint SIfMt = 0xF000;
    public const uint SIfDir = 0x4000;
    public const uint SIfLnk = 0xA000;
    public const uint SIfReg = 0x8000;
    public const uint SIfIfo = 0x1000;

    public const byte DtDir = 4;
    public const uint RenameNoReplace = 1;

    public const int LockEx = 2;
    public const int LockNb = 4;

    private const long SysOpenat2 = 437;
    private static bool IsArm => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>What statx reports of a file: type and mode bits, owner, link count.</summary>
    public readonly record struct FileStatus(uint Mode, uint Uid, uint Links);

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno).ToLowerInvariant();

    /// <summary>openat2(2): glibc has no wrapper, so it goes through syscall(2).</summary>
    public static int OpenAt2(int dirFd, string path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Resolve = resolve };
        return (int)Syscall(SysOpenat2, dirFd, path, &how, (nuint)sizeof(OpenHow));
    }

    [LibraryImport(LibC, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, int dirFd, string path, OpenHow* how, nuint size);

    [LibraryImport(LibC, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirFd, string path, int flags, uint mode);

    [LibraryImport(LibC, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirFd, string path, uint mode);

    [LibraryImport(LibC, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirFd, string path, int flags);

    [LibraryImport(LibC, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, int dirFd, string path);

    [LibraryImport(LibC, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [LibraryImport(LibC, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MknodAt(int dirFd, string path, uint mode, ulong dev);

    [LibraryImport(LibC, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport(LibC, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, uint mode);

    [LibraryImport(LibC, EntryPoint = "futimens", SetLastError = true)]
    public static partial int FUtimens(int fd, Timespec* times);

    [LibraryImport(LibC, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int dirFd, string path, Timespec* times, int flags);

    [LibraryImport(LibC, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(LibC, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(LibC, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(LibC, EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FSetXattr(int fd, string name, byte* value, nuint size, int flags);

    [LibraryImport(LibC, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(LibC, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(LibC, EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport(LibC, EntryPoint = "readdir", SetLastError = true)]
    public static partial nint ReadDir(nint dir);

    [LibraryImport(LibC, EntryPoint = "dirfd")]
    public static partial int DirFd(nint dir);

    [LibraryImport(LibC, EntryPoint = "closedir", SetLastError = true)]
    public static partial int CloseDir(nint dir);

    /// <summary>The file type and mode bits of path (not following a final symlink), or -1 with errno set.</summary>
    public static long LStatMode(int dirFd, string path) => StatxAt(dirFd, path, AtSymlinkNoFollow) is { } s ? s.Mode : -1;

    /// <summary>The file type and mode bits of path, following symlinks; -1 with errno set on failure.</summary>
    public static long StatMode(string path) => StatxAt(AtFdCwd, path, 0) is { } s ? s.Mode : -1;

    /// <summary>The status of the file open as fd; null with errno set on failure.</summary>
    public static FileStatus? FStat(int fd) => StatxAt(fd, "", AtEmptyPath);

    // statx rather than stat: its layout, unlike struct stat's, is the same on every architecture.
    private static FileStatus? StatxAt(int dirFd, string path, int flags)
    {
        const uint StatxType = 0x1, StatxMode = 0x2, StatxNlink = 0x4, StatxUid = 0x8;
        byte* buffer = stackalloc byte[256];
        if (Statx(dirFd, path, flags, StatxType | StatxMode | StatxNlink | StatxUid, buffer) != 0)
        {
            return null;
        }
        return new FileStatus(*(ushort*)(buffer + 28), *(uint*)(buffer + 20), *(uint*)(buffer + 16));
    }

    public static Timespec ToTimespec(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            sec--;
            rem += TimeSpan.TicksPerSecond;
        }
        return new Timespec { Sec = sec, Nsec = rem * 100 };
    }
}

/// <summary>Mode constants. C# has no octal literals; each is named by its octal value.</summary>
internal static class Mode
{
    public const uint Perm0777 = 0x1FF;
    public const uint Perm0755 = 0x1ED;
    public const uint Perm0700 = 0x1C0;
    public const uint Perm0600 = 0x180;
    public const uint Perm0200 = 0x80;
    public const uint Perm0022 = 0x12;
    public const uint Perm7777 = 0xFFF;
    public const uint Perm0644 = 0x1A4;
    public const uint Perm0555 = 0x16D;
}
