using System.Runtime.InteropServices;
using System.Text;

namespace RunF.Runtime.Interop;

/// <summary>The few libc calls the runtime makes directly, without .NET's file abstractions.</summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4;
    public const int W_OK = 2, X_OK = 1;
    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>fds[0] is the read end, fds[1] the write end.</summary>
    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkDir(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RmDir(string path);

    [LibraryImport(Lib, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport(Lib, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial byte* RealPathRaw(string path, byte* resolved);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, byte* buf, nint count, long offset);

    [LibraryImport(Lib, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    /// <summary>struct rusage is 144 bytes: utime and stime timevals, then ru_maxrss (KiB) and 13 more longs.</summary>
    [LibraryImport(Lib, EntryPoint = "wait4", SetLastError = true)]
    public static partial int Wait4(int pid, out int status, int options, long* rusage);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(Lib, EntryPoint = "getegid")]
    public static partial uint GetEgid();

    /// <summary>Fills buf with struct linux_dirent64 records; 0 at the end, -1 on error (errno). glibc 2.30+.</summary>
    [LibraryImport(Lib, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, byte* buf, nint size);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b, long c, long d);

    [LibraryImport(Lib, EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimitRaw(int resource, ulong* limits);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* statxBuf);

    private const long SYS_pidfd_send_signal = 424, SYS_pidfd_open = 434, SYS_openat2 = 437;
    private const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

    private const long SYS_landlock_create_ruleset = 444, LANDLOCK_CREATE_RULESET_VERSION = 1;

    /// <summary>The Landlock ABI version, or 0 when the kernel lacks it, it is disabled, or a seccomp filter denies it.</summary>
    public static int LandlockAbiVersion() => Math.Max(0, (int)Syscall(SYS_landlock_create_ruleset, 0, 0, LANDLOCK_CREATE_RULESET_VERSION, 0));

    /// <summary>A pidfd for a running process: signals through it cannot hit a later process that reuses the pid.</summary>
    public static int PidfdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0, 0, 0);
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000, STATX_TYPE = 1, STATX_MODE = 2, STATX_UID = 8, STATX_MTIME = 0x40, STATX_SIZE = 0x200, StatxSize = 256, StatxSizeOffset = 0x28, StatxMtimeOffset = 0x70, StatxModeOffset = 0x1c, StatxUidOffset = 0x14;

    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Signals a process by its pidfd: immune to pid reuse after it was reaped.</summary>
    public static int PidfdSendSignal(int pidfd, int signal) => (int)Syscall(SYS_pidfd_send_signal, pidfd, signal, 0, 0);

    /// <summary>The st_mode of a path (symlinks not followed), or null when it does not exist.</summary>
    public static uint? StatMode(string path)
    {
        var buf = stackalloc byte[StatxSize];
        return Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, buf) == 0 ? *(ushort*)(buf + StatxModeOffset) : null;
    }

    /// <summary>
    /// The st_mode of path resolved beneath root as the container will see it (".." and absolute
    /// symlinks stop at root, magic links are refused), or null when it is not there.
    /// </summary>
    public static uint? StatModeInRoot(string root, string path)
    {
        var rootFd = Open(root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (rootFd < 0)
        {
            return null;
        }
        try
        {
            var how = stackalloc ulong[3] { (ulong)(O_PATH | O_CLOEXEC), 0, RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT };
            var utf8 = Encoding.UTF8.GetBytes(path + "\0");
            int fd;
            fixed (byte* name = utf8)
            {
                fd = (int)Syscall(SYS_openat2, rootFd, (long)name, (long)how, 3 * sizeof(ulong));
            }
            if (fd < 0)
            {
                return null;
            }
            var buf = stackalloc byte[StatxSize];
            var r = Statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_MODE, buf);
            Close(fd);
            return r == 0 ? *(ushort*)(buf + StatxModeOffset) : null;
        }
        finally
        {
            Close(rootFd);
        }
    }

    /// <summary>Size and modification time (ns since the epoch) of a file, or null.</summary>
    public static (ulong Size, long MtimeNs)? StatSizeAndMtime(string path)
    {
        var buf = stackalloc byte[StatxSize];
        return Statx(AT_FDCWD, path, 0, STATX_SIZE | STATX_MTIME, buf) == 0
            ? (*(ulong*)(buf + StatxSizeOffset), *(long*)(buf + StatxMtimeOffset) * 1_000_000_000 + *(uint*)(buf + StatxMtimeOffset + 8))
            : null;
    }

    /// <summary>The canonical absolute path, or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var buf = stackalloc byte[4096];
        return RealPathRaw(path, buf) == null ? null : Marshal.PtrToStringUTF8((nint)buf);
    }

    /// <summary>Owner uid and st_mode of a path (symlinks not followed), or null when it does not exist.</summary>
    public static (uint Uid, uint Mode)? StatOwner(string path)
    {
        var buf = stackalloc byte[StatxSize];
        return Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MODE | STATX_UID, buf) == 0
            ? (*(uint*)(buf + StatxUidOffset), *(ushort*)(buf + StatxModeOffset))
            : null;
    }

    public static (ulong Soft, ulong Hard) GetRlimit(int resource)
    {
        var limits = stackalloc ulong[2];
        return GetRlimitRaw(resource, limits) == 0 ? (limits[0], limits[1]) : (1024, 1024);
    }

    /// <summary>Reads a small file (proc, sysfs) with a single read; null if it cannot be opened.</summary>
    public static string? ReadSmallFile(string path)
    {
        var fd = Open(path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }
        var buf = stackalloc byte[4096];
        var n = Read(fd, buf, 4096);
        Close(fd);
        return n < 0 ? null : Encoding.UTF8.GetString(buf, (int)n);
    }

    /// <summary>
    /// Reads a whole file with plain read(2). Unlike FileStream it takes no flock, so it can read
    /// files that their owner holds locked (state files). Meant for small files. Null if it cannot be opened.
    /// </summary>
    public static byte[]? ReadFile(string path)
    {
        var fd = Open(path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }
        // For small files (a cached seccomp program): an array of the exact size, grown per 8 KiB read.
        byte[] data = [];
        var buf = stackalloc byte[8192];
        nint n;
        while ((n = Read(fd, buf, 8192)) > 0 || (n < 0 && LastErrno == Errno.EINTR))
        {
            if (n > 0)
            {
                var at = data.Length;
                Array.Resize(ref data, at + (int)n);
                new ReadOnlySpan<byte>(buf, (int)n).CopyTo(data.AsSpan(at));
            }
        }
        Close(fd);
        return data;
    }

    /// <summary>Writes a whole small file in one write(2), as /proc control files require. Returns 0 or errno.</summary>
    public static int WriteSmallFile(string path, string text, int flags = O_WRONLY | O_CLOEXEC, int mode = 0)
    {
        var fd = Open(path, flags, mode);
        if (fd < 0)
        {
            return LastErrno;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        nint written;
        fixed (byte* p = bytes)
        {
            written = Write(fd, p, bytes.Length);
        }
        var err = written == bytes.Length ? 0 : written < 0 ? LastErrno : Errno.EIO;
        Close(fd);
        return err;
    }
}
