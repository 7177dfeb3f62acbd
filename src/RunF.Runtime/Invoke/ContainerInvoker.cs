using System.Diagnostics;
using RunF.Runtime.Errors;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;
using Serilog;

namespace RunF.Runtime.Invoke;

/// <summary>
/// Runs each invocation of one function in a container of its own, in this process: no runf is
/// started per call. A container is taken from the pre-warmed pool when one is ready (all that is
/// left is one execve), or prepared on the spot (a cold start). Either way it is used once.
/// </summary>
public sealed class ContainerInvoker : IFunctionInvoker
{
    private readonly IReadOnlyList<string> _args;
    private readonly Func<IWarmContainer> _prepare;
    private readonly LauncherThreads _launchers = new(Environment.ProcessorCount);
    private readonly BackgroundWork _cleanup = new();
    private WarmPool? _pool;

    /// <summary>args: the function's command; prepare sets up one container (on a launcher thread).</summary>
    internal ContainerInvoker(IReadOnlyList<string> args, Func<IWarmContainer> prepare)
    {
        _args = args;
        _prepare = prepare;
    }

    /// <summary>Containers ready now, for metrics and readiness.</summary>
    public int Prewarmed => _pool?.ReadyCount ?? 0;

    /// <summary>
    /// Resolves the function once and sets up (then discards) one container, so that a broken
    /// rootfs or host fails here, at start-up, and not on the first call.
    /// </summary>
    public static async Task<ContainerInvoker> CreateAsync(RunRequest template, ImageDefaults? image, int prewarm)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prewarm);
        // Pipes have no readiness-based I/O in .NET: each call in flight blocks up to three
        // pool threads in read/write, and the pool must not add them one by one under a burst.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64 + 4 * prewarm), io);
        var function = new FunctionTemplate(template, image);
        var invoker = new ContainerInvoker(function.Args, function.Prepare);
        try
        {
            (await invoker.PrepareAsync()).Dispose();
        }
        catch
        {
            await invoker.DisposeAsync();
            throw;
        }
        invoker.Prewarm(prewarm);
        return invoker;
    }

    /// <summary>Keeps count containers ready ahead of invocations.</summary>
    internal void Prewarm(int count)
    {
        _pool = count > 0 ? new WarmPool(count, PrepareAsync) : null;
    }

    public async Task<InvocationResult> InvokeAsync(Invocation invocation, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var pipes = InvocationPipes.Create(invocation.CombineOutput);
        using var inputDone = new CancellationTokenSource();
        // The body goes into the pipe while the container starts; it waits there for the function.
        var input = StreamPumps.InputAsync(invocation.Input, pipes.Stdin, inputDone.Token);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var warm = _pool?.TryTake();
                var prewarmed = warm is not null;
                warm ??= await PrepareAsync();
                try
                {
                    var env = EnvironmentMerge.Apply(warm.Env, invocation.Environment);
                    var candidates = PlanBuilder.ExecCandidates(_args[0], env);
                    var args = invocation.Arguments.Count == 0 ? _args : [.. _args, .. invocation.Arguments];
                    var process = warm.Start(args, env, candidates, new ContainerFds(pipes.ChildStdin, pipes.ChildStdout, pipes.ChildStderr));
                    if (process is null && attempt < 2)
                    {
                        Log.Debug("pre-warmed container {ContainerId} was gone; taking another", warm.Id);
                        continue;
                    }
                    using var running = process ?? throw new RunfException("the container exited before it could run the function");
                    pipes.CloseChildEnds();
                    var (exit, timedOut) = await RunAsync(running, pipes, invocation, cancellationToken);
                    var outOfMemory = exit.EndedBy(Signals.SIGKILL) && warm.OutOfMemory;
                    return new InvocationResult(exit.ExitCode, exit.Signal, timedOut, prewarmed, Stopwatch.GetElapsedTime(started), outOfMemory);
                }
                finally
                {
                    _cleanup.Run(warm.Dispose);
                    if (prewarmed)
                    {
                        _pool!.Replenish();
                    }
                }
            }
        }
        finally
        {
            // Without a reader left, a copy blocked on a full pipe fails (EPIPE) and ends.
            pipes.CloseChildEnds();
            inputDone.Cancel();
            await input;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }
        await _cleanup.WhenAllAsync();
        _launchers.Dispose();
    }

    private Task<IWarmContainer> PrepareAsync() => _launchers.Run(_prepare);

    /// <summary>Delivers stdout and stderr, enforces the deadline, and waits for the end.</summary>
    private static async Task<(ExitInfo Exit, bool TimedOut)> RunAsync(ContainerProcess process, InvocationPipes pipes, Invocation invocation, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(invocation.Timeout);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var exited = Task.Factory.StartNew(process.WaitForExit, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        ExitInfo exit;
        using (kill.Token.Register(() => process.Signal(Signals.SIGKILL)))
        {
            var output = StreamPumps.OutputAsync(pipes.Stdout, invocation.Output, () => process.Signal(Signals.SIGKILL));
            var errors = pipes.Stderr is { } stderr
                ? LineSplitter.ReadLinesAsync(stderr, invocation.ErrorLine ?? (_ => { }), invocation.MaxLineChars)
                : Task.CompletedTask;
            var pumps = Task.WhenAll(output, errors);
            if (await Task.WhenAny(exited, pumps) == pumps && pumps.IsFaulted)
            {
                // Nobody reads the function's output any more: it would block on a full pipe.
                process.Signal(Signals.SIGKILL);
            }
            exit = await exited;
            // PID 1 is gone, so the kernel has killed the rest of the container: stdout and
            // stderr reach EOF once their last writer is reaped.
            await pumps;
        }
        return (exit, deadline.IsCancellationRequested && exit.Signal == Signals.SIGKILL);
    }
}
