using System.Runtime.InteropServices;

namespace RunF.Serve.Interop;

/// <summary>The libc calls the lock file needs: .NET neither reports an open's errno nor a file's owner.</summary>
internal static unsafe partial class FileCalls
{
    private const string Lib = "libc";

    public const int O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_CLOEXEC = 0x80000;
    public const int EEXIST = 17;
    public const uint S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFLNK = 0xA000;

    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, STATX_TYPE = 1, STATX_UID = 8;
    private const int StatxSize = 256, StatxUidOffset = 0x14, StatxModeOffset = 0x1c;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* statxBuf);

    /// <summary>Owner and st_mode of the path itself (a symlink is not followed), or null when it is gone.</summary>
    public static (uint Uid, uint Mode)? LinkOwner(string path)
    {
        var buf = stackalloc byte[StatxSize];
        return Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_UID, buf) == 0
            ? (*(uint*)(buf + StatxUidOffset), *(ushort*)(buf + StatxModeOffset))
            : null;
    }

    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
