using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// The terminal an interactive executor gives runf: a pty pair made here, runf started (as the test
/// user) in a session of its own with the pty as its controlling terminal, stdout and stderr (and
/// stdin, unless told otherwise). The test types into the master, reads what runf writes, resizes
/// the window, and looks at the pty's modes and pending input from the slave it keeps open.
/// </summary>
public sealed unsafe partial class PseudoTerminal : IDisposable
{
    private const int O_RDWR = 2, O_RDONLY = 0, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private const ulong TIOCSWINSZ = 0x5414, FIONREAD = 0x541B;
    private const short POSIX_SPAWN_SETSID = 0x80, POLLIN = 1;
    private const int TermiosSize = 60, WNOHANG = 1;

    private readonly int _master;
    private readonly int _slave;
    private readonly StringBuilder _output = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private int _pid = -1;

    private PseudoTerminal(int master, int slave, string slavePath)
    {
        _master = master;
        _slave = slave;
        SlavePath = slavePath;
    }

    /// <summary>/dev/pts/N on the host.</summary>
    public string SlavePath { get; }

    /// <summary>Everything read from the master so far, carriage returns included.</summary>
    public string Output => _output.ToString();

    public int Pid => _pid;

    /// <summary>The modes the terminal had when it was opened, before anything ran on it.</summary>
    public byte[] InitialModes { get; private set; } = [];

    public static PseudoTerminal Open(ushort rows, ushort columns)
    {
        var master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        Check(master, "posix_openpt");
        Check(grantpt(master), "grantpt");
        Check(unlockpt(master), "unlockpt");
        var name = stackalloc byte[64];
        Check(ptsname_r(master, name, 64), "ptsname_r");
        var path = Marshal.PtrToStringUTF8((nint)name)!;
        var slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        Check(slave, "open " + path);
        var terminal = new PseudoTerminal(master, slave, path);
        terminal.Resize(rows, columns);
        terminal.InitialModes = terminal.Modes();
        return terminal;
    }

    /// <summary>
    /// Starts program (as the unprivileged test user) in a new session whose controlling terminal
    /// is this one: opening the slave without O_NOCTTY as a session leader makes it so.
    /// </summary>
    public void Start(string program, IReadOnlyList<string> args, string workingDirectory, bool stdinIsTerminal = true)
    {
        var psi = Runf.Unprivileged(program, args);
        var argv = new List<string> { psi.FileName };
        argv.AddRange(psi.ArgumentList);
        var actions = stackalloc byte[512]; // posix_spawn_file_actions_t: 80 bytes on glibc
        var attributes = stackalloc byte[1024]; // posix_spawnattr_t: 336 bytes on glibc
        Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
        var strings = new List<nint>();
        nint Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            strings.Add(p);
            return p;
        }
        try
        {
            Check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSID), "posix_spawnattr_setflags");
            Check(posix_spawn_file_actions_addopen(actions, 1, Utf8(SlavePath), O_RDWR, 0), "addopen");
            Check(posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2");
            Check(posix_spawn_file_actions_addopen(actions, 0, Utf8(stdinIsTerminal ? SlavePath : "/dev/null"), stdinIsTerminal ? O_RDWR : O_RDONLY, 0), "addopen");
            Check(posix_spawn_file_actions_addchdir_np(actions, Utf8(workingDirectory)), "addchdir");
            var argvPointers = argv.Select(Utf8).Append(0).ToArray();
            var envPointers = new[] { Utf8("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), Utf8("TERM=xterm"), 0 };
            fixed (nint* a = argvPointers, e = envPointers)
            {
                int pid;
                var r = posix_spawnp(&pid, argvPointers[0], actions, attributes, a, e);
                if (r != 0)
                {
                    throw new InvalidOperationException($"posix_spawnp {program}: error {r}");
                }
                _pid = pid;
            }
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attributes);
            foreach (var p in strings)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>Keys typed on the terminal: "\r" is Enter, "\x03" Ctrl-C.</summary>
    public void Type(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* b = bytes)
        {
            Check((int)write(_master, b, bytes.Length), "write to the master");
        }
    }

    /// <summary>Reads until the output (carriage returns dropped) contains text; throws with what came on timeout.</summary>
    public void WaitFor(string text, int timeoutMs = 15_000)
    {
        var watch = Stopwatch.StartNew();
        while (!Output.Replace("\r", "").Contains(text))
        {
            if (watch.ElapsedMilliseconds > timeoutMs)
            {
                throw new TimeoutException($"no \"{text}\" on the terminal after {timeoutMs} ms; it shows: {Output}");
            }
            Drain(100);
        }
    }

    /// <summary>Waits for the program to exit (reading its output meanwhile) and returns its exit code as a shell reports it.</summary>
    public int WaitForExit(int timeoutMs = 20_000)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            int status;
            var r = waitpid(_pid, &status, WNOHANG);
            if (r == _pid)
            {
                _pid = -1;
                Drain(100);
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
            }
            if (watch.ElapsedMilliseconds > timeoutMs)
            {
                throw new TimeoutException($"the program did not exit in {timeoutMs} ms; the terminal shows: {Output}");
            }
            Drain(50);
        }
    }

    /// <summary>TIOCSWINSZ on the master: the kernel sends SIGWINCH to the terminal's foreground process group (runf).</summary>
    public void Resize(ushort rows, ushort columns)
    {
        var size = stackalloc ushort[4] { rows, columns, 0, 0 };
        Check(ioctl(_master, TIOCSWINSZ, size), "TIOCSWINSZ");
    }

    /// <summary>The terminal's modes (struct termios) as bytes, to compare before, during and after.</summary>
    public byte[] Modes()
    {
        var modes = new byte[TermiosSize];
        fixed (byte* m = modes)
        {
            Check(tcgetattr(_slave, m), "tcgetattr");
        }
        return modes;
    }

    /// <summary>Puts the terminal in raw mode, so that PendingInput counts single characters, not only whole lines.</summary>
    public void MakeRaw()
    {
        var modes = stackalloc byte[TermiosSize];
        Check(tcgetattr(_slave, modes), "tcgetattr");
        cfmakeraw(modes);
        Check(tcsetattr(_slave, 0, modes), "tcsetattr");
    }

    /// <summary>Bytes waiting in the terminal's input queue: what the executor's shell would read next.</summary>
    public int PendingInput()
    {
        int count;
        Check(ioctl(_slave, FIONREAD, &count), "FIONREAD");
        return count;
    }

    public void Dispose()
    {
        if (_pid > 0)
        {
            kill(_pid, 9);
            int status;
            waitpid(_pid, &status, 0);
        }
        close(_master);
        close(_slave);
    }

    private void Drain(int timeoutMs)
    {
        var fd = stackalloc int[2] { _master, POLLIN };
        if (poll(fd, 1, timeoutMs) <= 0)
        {
            return;
        }
        var buffer = stackalloc byte[4096];
        var chars = stackalloc char[4096];
        nint n;
        while ((n = read(_master, buffer, 4096)) > 0)
        {
            var count = _decoder.GetChars(buffer, (int)n, chars, 4096, flush: false);
            _output.Append(chars, count);
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new InvalidOperationException($"{what}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ptsname_r(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int open(nint path, int flags);

    private static int open(string path, int flags)
    {
        var p = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            return open(p, flags);
        }
        finally
        {
            Marshal.FreeCoTaskMem(p);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(int* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, ulong request, void* argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcsetattr(int fd, int actions, byte* termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw(byte* termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial int posix_spawnp(int* pid, nint file, byte* actions, byte* attributes, nint* argv, nint* envp);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(byte* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_addopen(byte* actions, int fd, nint path, int flags, uint mode);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(byte* actions, int fd, int newFd);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_addchdir_np(byte* actions, nint path);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(byte* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(byte* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(byte* attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(byte* attributes);
}
