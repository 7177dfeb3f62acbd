using RunF.Interop;
using static RunF.Interop.Libc;

namespace RunF.Runtime.Run;

/// <summary>
/// runf -t's copy between runf's stdio and the container's terminal, on a thread of its own: what
/// runf reads on stdin goes to the master, what the command writes to its terminal (stdout and
/// stderr alike) comes out on runf's stdout. One poll loop over a non-blocking master, so neither
/// direction can stall the other (a command that reads no input still has its output copied). It
/// ends when the master reports EIO: every end of the terminal is closed, the container is gone
/// and its last output has been read. At stdin's end the terminal gets its end-of-file character,
/// as `cmd &lt; file` would end, when it is in line mode.
/// </summary>
internal sealed unsafe class TerminalRelay : IDisposable
{
    private const int BufferSize = 16 * 1024;
    private const int Stdin = 0, Stdout = 1;

    private readonly SafeFd _master;
    private readonly SafeFd _wakeRead;
    private readonly SafeFd _wakeWrite;
    private readonly Thread _thread;

    private TerminalRelay(SafeFd master, SafeFd wakeRead, SafeFd wakeWrite)
    {
        _master = master;
        _wakeRead = wakeRead;
        _wakeWrite = wakeWrite;
        _thread = new Thread(Run) { IsBackground = true, Name = "runf terminal" };
    }

    /// <summary>Starts copying; master (the caller's, open until this is disposed) is made non-blocking.</summary>
    public static TerminalRelay Start(SafeFd master)
    {
        if (SetNonBlocking(master) < 0)
        {
            throw new Errors.RunfException($"cannot relay the container's terminal: {Errno.Describe(Errno.Last)}");
        }
        var pipe = stackalloc int[2];
        if (Pipe2(pipe, O_CLOEXEC) < 0)
        {
            throw new Errors.RunfException($"cannot relay the container's terminal: {Errno.Describe(Errno.Last)}");
        }
        var relay = new TerminalRelay(master, SafeFd.Own(pipe[0]), SafeFd.Own(pipe[1]));
        // The thread uses the numbers: it holds a reference on both until it ends, so that their
        // owners' Dispose closes them only then.
        bool masterReferenced = false, wakeReferenced = false;
        master.DangerousAddRef(ref masterReferenced);
        relay._wakeRead.DangerousAddRef(ref wakeReferenced);
        relay._thread.Start();
        return relay;
    }

    /// <summary>
    /// Once the container has exited: waits for its last output. After grace (only a terminal end
    /// that was passed out of the container keeps the master open that long) what is buffered is
    /// copied and the relay stops.
    /// </summary>
    public void Finish(TimeSpan grace)
    {
        if (!_thread.Join(grace))
        {
            byte wake = 1;
            Write(_wakeWrite, &wake, 1);
            _thread.Join();
        }
    }

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            byte wake = 1;
            Write(_wakeWrite, &wake, 1);
            // A stdout that takes nothing more must not hold runf's exit: the thread is a background one.
            _thread.Join(TimeSpan.FromSeconds(1));
        }
        _wakeWrite.Dispose();
    }

    private void Run()
    {
        try
        {
            Relay((int)_master.DangerousGetHandle(), (int)_wakeRead.DangerousGetHandle());
        }
        finally
        {
            _wakeRead.DangerousRelease();
            _master.DangerousRelease();
            _wakeRead.Dispose();
        }
    }

    private static void Relay(int master, int wake)
    {
        var input = stackalloc byte[BufferSize];
        var output = stackalloc byte[BufferSize];
        var fds = stackalloc PollFd[3];
        var stdout = new Output();
        int pendingStart = 0, pendingEnd = 0;
        var stdinOpen = true;
        while (true)
        {
            var pending = pendingEnd > pendingStart;
            fds[0] = new PollFd { Fd = stdinOpen && !pending ? Stdin : -1, Events = POLLIN };
            fds[1] = new PollFd { Fd = master, Events = (short)(POLLIN | (pending ? POLLOUT : 0)) };
            fds[2] = new PollFd { Fd = wake, Events = POLLIN };
            if (Poll(fds, 3, -1) < 0)
            {
                if (Errno.Last == Errno.EINTR)
                {
                    continue; // SIGWINCH and the forwarded signals land on any thread
                }
                return;
            }
            if ((fds[1].Revents & (POLLIN | POLLHUP | POLLERR)) != 0 && CopyOutput(master, output, ref stdout) == Copied.Closed)
            {
                return;
            }
            if (pending && (fds[1].Revents & POLLOUT) != 0)
            {
                var n = Write(master, input + pendingStart, pendingEnd - pendingStart);
                if (n > 0)
                {
                    pendingStart += (int)n;
                }
                else if (n < 0 && Errno.Last is not (Errno.EAGAIN or Errno.EINTR))
                {
                    pendingStart = pendingEnd; // the terminal is going away: the input has nowhere to go
                    stdinOpen = false;
                }
            }
            if (fds[0].Revents != 0)
            {
                var n = Read(Stdin, input, BufferSize);
                if (n > 0)
                {
                    (pendingStart, pendingEnd) = (0, (int)n);
                }
                else if (n == 0 || Errno.Last is not (Errno.EAGAIN or Errno.EINTR))
                {
                    stdinOpen = false;
                    if (EndOfFileCharacter(master) is { } eof)
                    {
                        input[0] = eof;
                        (pendingStart, pendingEnd) = (0, 1);
                    }
                }
            }
            if (fds[2].Revents != 0)
            {
                while (CopyOutput(master, output, ref stdout) == Copied.Some)
                {
                }
                return;
            }
        }
    }

    private enum Copied
    {
        Some,
        None,
        Closed,
    }

    /// <summary>One read from the master, written whole to stdout (or dropped once stdout is gone).</summary>
    private static Copied CopyOutput(int master, byte* buffer, ref Output stdout)
    {
        var n = Read(master, buffer, BufferSize);
        if (n < 0)
        {
            // EIO: the last end of the terminal closed; anything else would repeat forever.
            return Errno.Last is Errno.EAGAIN or Errno.EINTR ? Copied.None : Copied.Closed;
        }
        if (n == 0)
        {
            return Copied.Closed;
        }
        stdout.WriteAll(buffer, (int)n);
        return Copied.Some;
    }

    /// <summary>The character that ends the container terminal's input, when it is in line mode (ICANON); else null.</summary>
    private static byte? EndOfFileCharacter(int master)
    {
        Termios modes;
        return TcGetAttr(master, &modes) == 0 && (modes.LocalFlags & ICANON) != 0 ? modes.ControlChars[VEOF] : null;
    }

    /// <summary>runf's stdout; after a write fails (a closed pipe) the output is read and dropped, so the command never blocks on it.</summary>
    private struct Output
    {
        private bool _gone;

        public void WriteAll(byte* buffer, int count)
        {
            var done = 0;
            while (!_gone && done < count)
            {
                var n = Write(Stdout, buffer + done, count - done);
                if (n > 0)
                {
                    done += (int)n;
                }
                else if (n < 0 && Errno.Last == Errno.EAGAIN)
                {
                    var fd = new PollFd { Fd = Stdout, Events = POLLOUT };
                    Poll(&fd, 1, -1); // a stdout that was left non-blocking
                }
                else if (n == 0 || Errno.Last != Errno.EINTR)
                {
                    _gone = true;
                }
            }
        }
    }
}
