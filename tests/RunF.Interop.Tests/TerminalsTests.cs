using System.Runtime.InteropServices;

namespace RunF.Interop.Tests;

/// <summary>
/// The terminal bindings on a real pty: struct termios and struct winsize are laid out as glibc
/// has them (a wrong offset would read the wrong end-of-file character or size), raw mode is
/// cfmakeraw's, and isatty tells a terminal from a pipe.
/// </summary>
public sealed unsafe partial class TerminalsTests : IDisposable
{
    private const ulong TIOCSWINSZ = 0x5414;
    private readonly SafeFd _master;
    private readonly SafeFd _slave;

    public TerminalsTests()
    {
        _master = SafeFd.Own(posix_openpt(Libc.O_RDWR | Libc.O_CLOEXEC));
        Assert.False(_master.IsInvalid);
        Assert.Equal(0, unlockpt(_master));
        var name = stackalloc byte[64];
        Assert.Equal(0, ptsname_r(_master, name, 64));
        _slave = Libc.Open(Marshal.PtrToStringUTF8((nint)name)!, Libc.O_RDWR | Libc.O_CLOEXEC | 0x100 /* O_NOCTTY */);
        Assert.False(_slave.IsInvalid);
    }

    private int Slave => (int)_slave.DangerousGetHandle();

    [Fact]
    public void A_pty_is_a_terminal_and_a_pipe_is_not()
    {
        var pipe = stackalloc int[2];
        Assert.Equal(0, Libc.Pipe2(pipe, Libc.O_CLOEXEC));
        using var read = SafeFd.Own(pipe[0]);
        using var write = SafeFd.Own(pipe[1]);
        Assert.True(Libc.IsATty(Slave));
        Assert.False(Libc.IsATty(pipe[0]));
        Assert.Equal(-1, Libc.GetWindowSize(pipe[0], out _));
    }

    [Fact]
    public void A_new_pty_is_in_line_mode_with_Ctrl_D_as_end_of_file_and_raw_mode_leaves_it()
    {
        Termios modes;
        Assert.Equal(0, Libc.TcGetAttr(_master, &modes));
        Assert.NotEqual(0u, modes.LocalFlags & Libc.ICANON);
        Assert.Equal(4, modes.ControlChars[Libc.VEOF]);
        Libc.CfMakeRaw(&modes);
        Assert.Equal(0, Libc.TcSetAttr(Slave, Libc.TCSANOW, &modes));
        Termios after;
        Assert.Equal(0, Libc.TcGetAttr(Slave, &after));
        Assert.Equal(0u, after.LocalFlags & Libc.ICANON);
        Assert.Equal(60, sizeof(Termios));
    }

    [Fact]
    public void The_window_size_set_on_the_master_is_read_on_the_slave()
    {
        var size = stackalloc ushort[4] { 33, 101, 0, 0 };
        Assert.Equal(0, ioctl(_master, TIOCSWINSZ, size));
        Assert.Equal(0, Libc.GetWindowSize(Slave, out var read));
        Assert.Equal((33, 101), (read.Rows, read.Columns));
    }

    public void Dispose()
    {
        _slave.Dispose();
        _master.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(SafeFd fd);

    [LibraryImport("libc")]
    private static partial int ptsname_r(SafeFd fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(SafeFd fd, ulong request, void* argument);
}
