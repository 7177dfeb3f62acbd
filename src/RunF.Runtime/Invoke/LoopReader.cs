using System.Text;
using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Invoke;

/// <summary>How a loop action's turn ended, as its reader saw it.</summary>
internal abstract record LoopOutcome
{
    /// <summary>The line the action wrote on fd 3, without its newline.</summary>
    public sealed record Answered(string Line) : LoopOutcome;

    /// <summary>fd 3 reached its end (the action exited, was killed, or closed it) before a whole line.</summary>
    public sealed record Ended : LoopOutcome;

    /// <summary>The line grew past the limit; the action was killed for it.</summary>
    public sealed record Overflowed : LoopOutcome;
}

/// <summary>
/// The agent's side of a long-lived action's pipes: its results (fd 3), stdout and stderr, read by
/// one thread with poll, all three non-blocking. When a result line arrives, whatever stdout and
/// stderr hold at that moment is read and handed out first: the action wrote those lines before
/// its result, so they belong to this activation, and the caller's end-of-activation line (the
/// OpenWhisk sentinel) comes after them. Logs written between activations go out as they come.
/// </summary>
internal sealed unsafe class LoopReader : IDisposable
{
    private const int Results = 0, Stdout = 1, Stderr = 2;
    private const int ChunkSize = 64 * 1024;

    private readonly SafeFd[] _fds;
    // Two buffers: logs are read (Answer) while a chunk of results is still being split.
    private readonly byte[] _logBytes = new byte[ChunkSize];
    private readonly byte[] _resultBytes = new byte[ChunkSize];
    private readonly char[] _chars = new char[Encoding.UTF8.GetMaxCharCount(ChunkSize)];
    private readonly Action<string>[] _lines;
    private readonly Decoder[] _decoders = [Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder()];
    private readonly StringBuilder[] _partial = [new(), new(), new()];
    private readonly bool[] _open = [true, true, true];
    private readonly long _maxResult;
    private readonly Action _kill;
    private readonly Lock _lock = new();
    private readonly MemoryStream _result = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<LoopOutcome>? _pending;
    private bool _ended;

    /// <summary>Takes the read ends (made non-blocking here) and starts reading.</summary>
    public LoopReader(SafeFd results, SafeFd stdout, SafeFd stderr, Action<string> stdoutLine, Action<string> stderrLine, long maxResult, Action kill)
    {
        _fds = [results, stdout, stderr];
        foreach (var fd in _fds)
        {
            if (Libc.SetNonBlocking(fd) < 0)
            {
                throw new RunfException($"cannot make the action's pipes non-blocking: {Errno.Describe(Errno.Last)}");
            }
        }
        _lines = [_ => { }, stdoutLine, stderrLine];
        _maxResult = maxResult;
        _kill = kill;
        _thread = new Thread(Run) { IsBackground = true, Name = "runf-action-loop" };
        _thread.Start();
    }

    /// <summary>fd 3 has ended: no result will come any more.</summary>
    public bool Ended
    {
        get
        {
            lock (_lock)
            {
                return _ended;
            }
        }
    }

    /// <summary>Completes once all three pipes have reached their end (the container is gone).</summary>
    public Task Done => _done.Task;

    /// <summary>
    /// The outcome of the next result line; call before the action is given its input. A line
    /// written outside any activation was dropped (and logged) when it came.
    /// </summary>
    public Task<LoopOutcome> Expect()
    {
        var pending = new TaskCompletionSource<LoopOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_ended)
            {
                pending.SetResult(new LoopOutcome.Ended());
            }
            else
            {
                _pending = pending;
            }
        }
        return pending.Task;
    }

    private void Run()
    {
        var polls = stackalloc Libc.PollFd[3];
        try
        {
            while (_open[Results] || _open[Stdout] || _open[Stderr])
            {
                for (var i = 0; i < 3; i++)
                {
                    polls[i] = new Libc.PollFd { Fd = _open[i] ? (int)_fds[i].DangerousGetHandle() : -1, Events = Libc.POLLIN };
                }
                if (Libc.Poll(polls, 3, -1) < 0)
                {
                    if (Errno.Last == Errno.EINTR)
                    {
                        continue;
                    }
                    // Not expected with valid descriptors; a thread of its own must not throw.
                    _lines[Stderr]($"runf serve: poll on the action's pipes: {Errno.Describe(Errno.Last)}: killing the action");
                    _kill();
                    break;
                }
                // Logs first: a line written before a result must not come after its end.
                for (var i = Stdout; i <= Stderr; i++)
                {
                    if (polls[i].Revents != 0)
                    {
                        ReadLog(i);
                    }
                }
                if (polls[Results].Revents != 0)
                {
                    ReadResults();
                }
            }
        }
        finally
        {
            Finish(new LoopOutcome.Ended());
            _done.TrySetResult();
        }
    }

    /// <summary>Reads what log stream i holds now, handing out whole lines.</summary>
    private void ReadLog(int i)
    {
        int n;
        while ((n = ReadNow(i, _logBytes)) > 0)
        {
            var count = _decoders[i].GetChars(_logBytes, 0, n, _chars, 0, flush: false);
            LineSplitter.Split(_chars.AsSpan(0, count), _partial[i], _lines[i]);
        }
    }

    private void ReadResults()
    {
        int n;
        while ((n = ReadNow(Results, _resultBytes)) > 0)
        {
            var chunk = new ReadOnlySpan<byte>(_resultBytes, 0, n);
            int newline;
            while ((newline = chunk.IndexOf((byte)'\n')) >= 0)
            {
                if (!Append(chunk[..newline]))
                {
                    return;
                }
                var line = Encoding.UTF8.GetString(_result.GetBuffer(), 0, (int)_result.Length);
                _result.SetLength(0);
                chunk = chunk[(newline + 1)..];
                Answer(line);
            }
            if (!Append(chunk))
            {
                return;
            }
        }
        if (!_open[Results])
        {
            Finish(new LoopOutcome.Ended());
        }
    }

    /// <summary>
    /// What stream i holds now, into buffer: the count, or 0 when nothing is there for now
    /// (EAGAIN) or any more (its end, or an error: the stream is closed).
    /// </summary>
    private int ReadNow(int i, byte[] buffer)
    {
        while (_open[i])
        {
            nint n;
            fixed (byte* bytes = buffer)
            {
                n = Libc.Read(_fds[i], bytes, buffer.Length);
            }
            if (n > 0)
            {
                return (int)n;
            }
            if (n < 0 && Errno.Last == Errno.EINTR)
            {
                continue;
            }
            if (n == 0 || Errno.Last != Errno.EAGAIN)
            {
                Close(i);
            }
            break;
        }
        return 0;
    }

    /// <summary>Adds to the result being read; past the limit the action is killed and the turn ends.</summary>
    private bool Append(ReadOnlySpan<byte> part)
    {
        if (_result.Length + part.Length > _maxResult)
        {
            _kill();
            Close(Results);
            Finish(new LoopOutcome.Overflowed());
            return false;
        }
        _result.Write(part);
        return true;
    }

    private void Answer(string line)
    {
        if (LogsThenPending(end: false) is { } pending)
        {
            pending.SetResult(new LoopOutcome.Answered(line));
        }
        else
        {
            _lines[Stderr]("runf serve: the action wrote a result line outside an activation: dropped");
        }
    }

    /// <summary>No more results: the activation waiting (if any) gets outcome, after the logs written before it.</summary>
    private void Finish(LoopOutcome outcome) => LogsThenPending(end: true)?.TrySetResult(outcome);

    /// <summary>
    /// Hands out what stdout and stderr hold now (the action wrote it before its result, or its
    /// end), then takes the activation waiting, if any; end: no result will come any more.
    /// </summary>
    private TaskCompletionSource<LoopOutcome>? LogsThenPending(bool end)
    {
        ReadLog(Stdout);
        ReadLog(Stderr);
        FlushPartial(Stdout);
        FlushPartial(Stderr);
        lock (_lock)
        {
            _ended |= end;
            var pending = _pending;
            _pending = null;
            return pending;
        }
    }

    private void FlushPartial(int i)
    {
        if (_partial[i].Length > 0)
        {
            _lines[i](_partial[i].ToString());
            _partial[i].Clear();
        }
    }

    private void Close(int i)
    {
        if (i != Results)
        {
            FlushPartial(i);
        }
        _open[i] = false;
    }

    /// <summary>Closes the read ends once the thread is done with them (after Done).</summary>
    public void Dispose()
    {
        _thread.Join();
        foreach (var fd in _fds)
        {
            fd.Dispose();
        }
        _result.Dispose();
    }
}
