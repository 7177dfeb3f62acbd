using System.ComponentModel;
using System.Diagnostics;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;

namespace RunF.Serve.Baselines;

/// <summary>
/// An invocation as a plain child process per request (fork and exec through
/// System.Diagnostics.Process, which forks in native code): the base of the benchmark
/// baselines. Subclasses say which program runs with which environment.
/// </summary>
public abstract class ChildProcessInvoker : IFunctionInvoker
{
    protected ChildProcessInvoker()
    {
        // As ContainerInvoker does, for a fair comparison: .NET reads and writes pipes with
        // blocking calls on pool threads, up to three per invocation in flight, and the pool
        // must not add them one by one under a burst.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
    }

    /// <summary>The program and its arguments for one invocation.</summary>
    protected abstract IReadOnlyList<string> Argv { get; }

    /// <summary>Sets the child's environment; the invocation's pairs are added after.</summary>
    protected abstract void PrepareEnvironment(IDictionary<string, string?> environment);

    /// <summary>Where the program runs; null for the agent's own directory.</summary>
    protected virtual string? WorkingDirectory => null;

    /// <summary>Adds KEY=VALUE pairs to an environment, later ones winning.</summary>
    protected static void AddPairs(IDictionary<string, string?> environment, IEnumerable<string> pairs)
    {
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            environment[pair[..equals]] = pair[(equals + 1)..];
        }
    }

    public async Task<InvocationResult> InvokeAsync(Invocation invocation, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var process = Start(invocation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (invocation.Timeout > TimeSpan.Zero)
        {
            deadline.CancelAfter(invocation.Timeout);
        }
        // Stopped only once the process is dead, as ContainerInvoker does: stdin must not reach
        // EOF while the function may still read it (a body that broke off is not a whole one).
        using var stopInput = new CancellationTokenSource();
        var input = StreamPumps.InputAsync(invocation.Input, process.StandardInput.BaseStream, stopInput.Token);

        // With CombineOutput both pipes write to Output, one write at a time. A write that fails
        // (the client left, a response buffer is full) kills the function, as in ContainerInvoker.
        var output = invocation.CombineOutput ? new SerializedWriteStream(invocation.Output) : invocation.Output;
        var stdout = StreamPumps.OutputAsync(process.StandardOutput.BaseStream, output, () => Kill(process));
        var stderr = invocation.CombineOutput
            ? StreamPumps.OutputAsync(process.StandardError.BaseStream, output, () => Kill(process))
            : LineSplitter.ReadLinesAsync(process.StandardError.BaseStream, invocation.ErrorLine ?? (_ => { }), invocation.MaxLineChars);
        var finished = Task.WhenAll(stdout, stderr, process.WaitForExitAsync(CancellationToken.None));

        await Task.WhenAny(finished, Task.Delay(Timeout.Infinite, deadline.Token)).ConfigureAwait(false);
        var killed = !process.HasExited;
        if (killed)
        {
            Kill(process);
        }
        try
        {
            await finished.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && (killed || deadline.IsCancellationRequested))
        {
            // The pumps stop with the process: what they were copying no longer matters.
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await stopInput.CancelAsync().ConfigureAwait(false);
        await input.ConfigureAwait(false);

        cancellationToken.ThrowIfCancellationRequested();
        var timedOut = deadline.IsCancellationRequested;
        var exitCode = process.ExitCode;
        int? signal = exitCode > 128 && killed ? exitCode - 128 : null;
        return new InvocationResult(exitCode, signal, timedOut, Prewarmed: false, Stopwatch.GetElapsedTime(started));
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already reaped: nothing left to kill.
        }
    }

    private Process Start(Invocation invocation)
    {
        var argv = Argv;
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in argv.Skip(1).Concat(invocation.Arguments))
        {
            psi.ArgumentList.Add(arg);
        }
        psi.WorkingDirectory = WorkingDirectory ?? "";
        PrepareEnvironment(psi.Environment);
        AddPairs(psi.Environment, invocation.Environment);
        try
        {
            return Process.Start(psi)!;
        }
        catch (Win32Exception e)
        {
            throw new RunfException($"cannot run {argv[0]}: {e.Message}");
        }
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
