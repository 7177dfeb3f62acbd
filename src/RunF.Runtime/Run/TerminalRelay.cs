using RunF.Interop;
using static RunF.Interop.Libc;

namespace RunF.Runtime.Run;

/// <summary>
/// runf -t's copy between runf's stdio and the container's terminal, on the supervisor's own
/// thread while it waits: what runf reads on stdin goes to the master, what the command writes to
/// its terminal (stdout and stderr alike) comes out on runf's stdout. One poll loop over a
/// non-blocking master, stdin and the container's pidfd, so neither direction can stall the other
/// (a command that reads no input still has its output copied), and no thread to start. Once PID 1
/// has exited, the master is read until it reports EIO: every end of the terminal is closed and
/// the last output is out. At stdin's end the terminal gets its end-of-file character, as
/// `cmd &lt; file` would end, when it is in line mode.
/// </summary>
internal static unsafe class TerminalRelay
{
    private const int BufferSize = 16 * 1024;
    private const int Stdin = 0, Stdout = 1;

    /// <summary>
    /// Copies until the process behind pidFd has exited and the master is drained (true), or until
    /// nobody reads runf's stdout any more (false: `runf -t cmd | head -1`). grace bounds the
    /// drain: only a terminal end passed out of the container could keep the master open.
    /// </summary>
    public static bool CopyUntilExit(SafeFd master, int pidFd, TimeSpan grace)
    {
        if (SetNonBlocking(master) < 0)
        {
            throw new Errors.RunfException($"cannot relay the container's terminal: {Errno.Describe(Errno.Last)}");
        }
        var input = stackalloc byte[BufferSize];
        var output = stackalloc byte[BufferSize];
        var fds = stackalloc PollFd[3];
        var stdout = new Output();
        int pendingStart = 0, pendingEnd = 0;
        bool stdinOpen = true, exited = false;
        while (true)
        {
            var pending = pendingEnd > pendingStart;
            fds[0] = new PollFd { Fd = stdinOpen && !pending && !exited ? Stdin : -1, Events = POLLIN };
            fds[1] = new PollFd { Fd = (int)master.DangerousGetHandle(), Events = (short)(POLLIN | (pending && !exited ? POLLOUT : 0)) };
            fds[2] = new PollFd { Fd = exited ? -1 : pidFd, Events = POLLIN };
            var ready = Poll(fds, 3, exited ? (int)grace.TotalMilliseconds : -1);
            if (ready < 0 && Errno.Last == Errno.EINTR)
            {
                continue; // SIGWINCH, and the signals runf forwards
            }
            if (ready <= 0)
            {
                return true; // the grace is over, or poll itself failed: nothing more will be copied
            }
            if ((fds[1].Revents & (POLLIN | POLLHUP | POLLERR)) != 0 && CopyOutput(master, output, ref stdout) == Copied.Closed)
            {
                return true;
            }
            if (stdout.Gone)
            {
                return false;
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
            exited |= fds[2].Revents != 0;
        }
    }

    private enum Copied
    {
        Some,
        None,
        Closed,
    }

    /// <summary>One read from the master, written whole to stdout (or dropped once stdout is gone).</summary>
    private static Copied CopyOutput(SafeFd master, byte* buffer, ref Output stdout)
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
    private static byte? EndOfFileCharacter(SafeFd master)
    {
        Termios modes;
        return TcGetAttr(master, &modes) == 0 && (modes.LocalFlags & ICANON) != 0 ? modes.ControlChars[VEOF] : null;
    }

    /// <summary>runf's stdout, until a write fails (a closed pipe).</summary>
    private struct Output
    {
        private bool _gone;

        public readonly bool Gone => _gone;

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
