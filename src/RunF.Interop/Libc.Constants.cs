namespace RunF.Interop;

/// <summary>
/// Flag values that are the same on every architecture runf builds for (asm-generic/fcntl.h,
/// linux/fcntl.h, linux/openat2.h, sys/file.h, linux/stat.h, the terminal ioctls, poll.h). The ones that differ are in
/// Libc.ArchConstants.cs; InteropConstantsTests pins both against this machine's headers.
/// </summary>
public static partial class Libc
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200, O_NONBLOCK = 0x800,
        O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;

    /// <summary>struct open_how's resolve flags (openat2).</summary>
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

    public const uint RENAME_NOREPLACE = 1;

    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4;

    public const int W_OK = 2, X_OK = 1;

    /// <summary>st_mode's file types.</summary>
    public const uint S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;

    /// <summary>linux_dirent64's d_type.</summary>
    public const byte DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8;

    public const uint MFD_CLOEXEC = 1;

    public const int F_GETFL = 3, F_SETFL = 4;

    /// <summary>Terminals (asm-generic/ioctls.h and termbits.h, which x86-64 and arm64 both use).</summary>
    public const uint TIOCGWINSZ = 0x5413, ICANON = 2;

    public const int TCSANOW = 0, VEOF = 4;

    /// <summary>struct pollfd's events.</summary>
    public const short POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;
}
