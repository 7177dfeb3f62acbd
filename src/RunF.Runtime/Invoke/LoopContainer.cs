using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Invoke;

/// <summary>
/// One started container of a long-lived action (the OpenWhisk actionloop): its stdin takes one
/// activation line after another, its fd 3 gives one result line for each, and its stdout and
/// stderr are logs. The caller runs one activation at a time. Once it is dead (exited, killed, or
/// fd 3 closed) it serves nothing more: the owner starts another.
/// </summary>
internal sealed class LoopContainer
{
    private readonly ContainerProcess _process;
    private readonly FileStream _stdin;
    private readonly LoopReader _reader;

    private LoopContainer(ContainerProcess process, FileStream stdin, LoopReader reader, Task ended)
    {
        _process = process;
        _stdin = stdin;
        _reader = reader;
        Ended = ended;
    }

    /// <summary>Completes once the container is gone and everything it held is released.</summary>
    public Task Ended { get; }

    public bool Alive => !Ended.IsCompleted && !_reader.Ended;

    /// <summary>
    /// Execs args in warm with a pipe on each of fds 0 to 3. The container is released (Dispose
    /// of warm) once its PID 1 has exited and its pipes have been read to their end.
    /// </summary>
    public static LoopContainer Start(IWarmContainer warm, IReadOnlyList<string> args, LoopLogs logs, long maxResult)
    {
        var ends = new List<int>();
        SafeFd? results = null, stdout = null, stderr = null;
        FileStream? stdin = null;
        ContainerProcess? process = null;
        try
        {
            var (stdinRead, stdinWrite) = Pipe(ends);
            var (stdoutRead, stdoutWrite) = Pipe(ends);
            var (stderrRead, stderrWrite) = Pipe(ends);
            var (resultsRead, resultsWrite) = Pipe(ends);
            stdin = new FileStream(new SafeFileHandle(Take(ends, stdinWrite), ownsHandle: true), FileAccess.Write, bufferSize: 0);
            (results, stdout, stderr) = (SafeFd.Own(Take(ends, resultsRead)), SafeFd.Own(Take(ends, stdoutRead)), SafeFd.Own(Take(ends, stderrRead)));
            process = warm.Start(args, warm.Env, PlanBuilder.ExecCandidates(args[0], warm.Env), new ContainerFds(stdinRead, stdoutWrite, stderrWrite, resultsWrite))
                ?? throw new RunfException("the container exited before it could run the action");
            // The container holds its copies now: EOF on fd 3 will mean it is gone.
            CloseAll(ends);
            var running = process;
            var reader = new LoopReader(results, stdout, stderr, logs.Stdout, logs.Stderr, maxResult, () => running.Signal(Signals.SIGKILL));
            (results, stdout, stderr) = (null, null, null);
            var exited = Task.Factory.StartNew(running.WaitForExit, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var input = stdin;
            var ended = Task.WhenAll(exited, reader.Done).ContinueWith(_ =>
            {
                reader.Dispose();
                input.Dispose();
                running.Dispose();
                warm.Dispose();
            }, TaskScheduler.Default);
            return new LoopContainer(running, input, reader, ended);
        }
        catch
        {
            CloseAll(ends);
            results?.Dispose();
            stdout?.Dispose();
            stderr?.Dispose();
            stdin?.Dispose();
            if (process is not null)
            {
                process.Signal(Signals.SIGKILL);
                process.WaitForExit();
                process.Dispose();
            }
            warm.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes line (one JSON line, newline included) to the action's stdin and waits for its
    /// result on fd 3. A timeout or cancellation kills the container: a result that comes later
    /// would otherwise be taken for the next activation's.
    /// </summary>
    public async Task<LoopActivation> ActivateAsync(ReadOnlyMemory<byte> line, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = _reader.Expect();
        using var deadline = new CancellationTokenSource(timeout);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using (kill.Token.Register(Kill))
        {
            try
            {
                await _stdin.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // EPIPE: the action is gone; the reader reports the end of fd 3.
            }
            var result = await outcome.ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return result switch
            {
                LoopOutcome.Answered answered => new LoopActivation(answered.Line, false, false, false, elapsed),
                LoopOutcome.Overflowed => new LoopActivation(null, false, true, false, elapsed),
                _ => new LoopActivation(null, deadline.IsCancellationRequested, false, false, elapsed),
            };
        }
    }

    /// <summary>SIGKILL to its PID 1: the kernel ends the rest of the container with it.</summary>
    public void Kill() => _process.Signal(Signals.SIGKILL);

    private static unsafe (int Read, int Write) Pipe(List<int> ends)
    {
        var fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) < 0)
        {
            throw new RunfException($"cannot create a pipe for the action: {Errno.Describe(Errno.Last)}");
        }
        ends.Add(fds[0]);
        ends.Add(fds[1]);
        return (fds[0], fds[1]);
    }

    /// <summary>fd, no longer among the ends closed on the way out.</summary>
    private static int Take(List<int> ends, int fd)
    {
        ends.Remove(fd);
        return fd;
    }

    private static void CloseAll(List<int> ends)
    {
        foreach (var fd in ends)
        {
            Libc.Close(fd);
        }
        ends.Clear();
    }
}

/// <summary>Where a long-lived action's stdout and stderr lines go.</summary>
public sealed record LoopLogs(Action<string> Stdout, Action<string> Stderr);

/// <summary>
/// One activation of a loop action.
/// </summary>
/// <param name="Result">The line the action wrote on fd 3, or null when it did not write one (it died, was killed, or closed fd 3).</param>
/// <param name="TimedOut">Killed because the activation's timeout passed.</param>
/// <param name="Overflowed">Killed because its result line was longer than the limit.</param>
/// <param name="Restarted">Its container was started for it: the previous one had died (or it was the first).</param>
/// <param name="Duration">From the input line to the result.</param>
public sealed record LoopActivation(string? Result, bool TimedOut, bool Overflowed, bool Restarted, TimeSpan Duration);
