using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// glibc's struct termios (bits/termios-struct.h, the same on x86-64 and arm64: 60 bytes), read
/// and written whole: runf changes only what cfmakeraw changes, and puts back what it read.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct Termios
{
    public uint InputFlags, OutputFlags, ControlFlags, LocalFlags;
    public byte Line;
    public fixed byte ControlChars[32];
    public uint InputSpeed, OutputSpeed;
}

/// <summary>struct winsize (TIOCGWINSZ): rows and columns, then pixels that nothing uses.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct WindowSize
{
    public ushort Rows, Columns, XPixels, YPixels;
}

/// <summary>
/// Terminals, for runf -t: whether a descriptor is a terminal, its modes and size (poll and
/// O_NONBLOCK are in Libc.Poll.cs). The descriptors are runf's own stdio (numbers it was given) and the
/// container's terminal master.
/// </summary>
public static unsafe partial class Libc
{
    [LibraryImport(Lib, EntryPoint = "isatty")]
    private static partial int IsATtyRaw(int fd);

    public static bool IsATty(int fd) => IsATtyRaw(fd) == 1;

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, Termios* termios);

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(SafeFd fd, Termios* termios);

    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int optionalActions, Termios* termios);

    /// <summary>Raw mode as cfmakeraw(3) sets it: no echo, no line editing, no signal keys, 8-bit bytes.</summary>
    [LibraryImport(Lib, EntryPoint = "cfmakeraw")]
    public static partial void CfMakeRaw(Termios* termios);

    /// <summary>ioctl(fd, TIOCGWINSZ): 0, or -1 for a descriptor that is not a terminal.</summary>
    public static int GetWindowSize(int fd, out WindowSize size)
    {
        fixed (WindowSize* p = &size)
        {
            return Ioctl(fd, TIOCGWINSZ, p);
        }
    }

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, void* argument);
}
