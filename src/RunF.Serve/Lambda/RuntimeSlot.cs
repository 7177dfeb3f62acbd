using System.Diagnostics;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Launch;
using RunF.Runtime.Spec;
using RunF.Serve.Logging;

namespace RunF.Serve.Lambda;

/// <summary>
/// One runtime: a long-lived container of the function with a runtime API port of its own, and
/// the one invocation it serves at a time. The invocation is handed to the runtime's GET
/// .../invocation/next and answered by its POST .../response or .../error; its init error, its
/// death or the timeout answer it otherwise. A runtime that dies or times out is killed and
/// another container started: at once for a --prewarm slot (after a delay that grows while it
/// keeps failing before its first GET /next), at the next invocation otherwise. Every state
/// change happens under one lock; the runtime API checks that a request comes from this slot's
/// container (ConnectionOwner) before it acts.
/// </summary>
public sealed class RuntimeSlot
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRestartDelay = TimeSpan.FromSeconds(5);

    private readonly RuntimeHost _host;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _starting = new(1, 1);
    private ServerProcess? _process;
    private Task<TimeSpan?> _ended = Task.FromResult<TimeSpan?>(null);
    private Task _dying = Task.CompletedTask;
    private bool _initDone;
    private LambdaOutcome? _initError;
    private LambdaInvocation? _current;
    private bool _handedOut;
    private TaskCompletionSource<LambdaInvocation?>? _next;
    private int _failedStarts;
    private bool _stopping;

    internal RuntimeSlot(RuntimeHost host, int index)
    {
        _host = host;
        Index = index;
    }

    public int Index { get; }

    /// <summary>Lambda-Runtime-Invoked-Function-Arn.</summary>
    public string FunctionArn => _host.Function.Arn;

    /// <summary>Its runtime API port on 127.0.0.1: bound when the agent starts listening.</summary>
    public int Port { get; internal set; }

    /// <summary>Started ahead of invocations and restarted at once: Lambda's provisioned concurrency.</summary>
    public bool Prewarmed => Index < _host.Prewarm;

    /// <summary>Whether its runtime waits in GET /next now: an invocation given to it starts at once.</summary>
    public bool Idle
    {
        get
        {
            lock (_gate)
            {
                return _next is not null && _current is null;
            }
        }
    }

    /// <summary>Whether a container of it runs now.</summary>
    public bool Running
    {
        get
        {
            lock (_gate)
            {
                return _process is not null;
            }
        }
    }

    /// <summary>The PID 1 of its container as the agent sees it, or null: whom its runtime API serves.</summary>
    public int? ContainerPid
    {
        get
        {
            lock (_gate)
            {
                return _process?.Pid;
            }
        }
    }

    /// <summary>ContainerPid once a start in progress has finished: a runtime calls its API as soon as it runs, before StartAsync returns.</summary>
    public async Task<int?> ContainerPidAsync()
    {
        await _starting.WaitAsync();
        _starting.Release();
        return ContainerPid;
    }

    /// <summary>Starts its container if none runs; a container that cannot start throws (RunfException).</summary>
    public async Task EnsureStartedAsync()
    {
        await _starting.WaitAsync();
        try
        {
            Task dying;
            lock (_gate)
            {
                dying = _dying;
            }
            // A container killed after its init error is not one to run an invocation on.
            await dying;
            lock (_gate)
            {
                if (_process is not null || _stopping)
                {
                    return;
                }
            }
            var process = await _host.Server.StartAsync(_host.Output, _host.Function.RuntimeEnv(Port, Prewarmed));
            var started = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                _process = process;
                _initDone = false;
                _ended = process.Exited.ContinueWith(exit => Ended(exit.Result, started), TaskScheduler.Default);
            }
            ServeLog.Info($"runtime {Index}: started container {process.Id}, its runtime API at 127.0.0.1:{Port}");
            _ = RestartAsync(_ended);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>
    /// Runs one invocation on this runtime (the slot is the caller's: RuntimePool reserved it) and
    /// gives its outcome once it has one. A timeout kills the container first.
    /// </summary>
    public async Task<LambdaOutcome> RunAsync(LambdaInvocation invocation)
    {
        LambdaOutcome? pendingInitError;
        lock (_gate)
        {
            (pendingInitError, _initError) = (_initError, null);
        }
        if (pendingInitError is not null)
        {
            // The init error of a runtime started ahead: the invocation that finds it gets it,
            // as Lambda answers the invocation of a failed init; the next one starts another.
            return pendingInitError;
        }
        try
        {
            await EnsureStartedAsync();
        }
        catch (RunfException e)
        {
            ServeLog.Info($"runtime {Index}: cannot start the runtime: {e.Message}");
            return new LambdaOutcome(500, ErrorDocuments.Document("ServiceException", e.Message), LambdaOutcome.Json, true, null);
        }
        TaskCompletionSource<LambdaInvocation?>? waiting;
        lock (_gate)
        {
            _current = invocation;
            _handedOut = false;
            if (_initError is { } initError)
            {
                // init/error arrived between the check above and now.
                _initError = null;
                invocation.Answer(initError);
            }
            (waiting, _next) = (_next, null);
            if (waiting is not null)
            {
                _handedOut = true;
            }
        }
        waiting?.TrySetResult(invocation);
        try
        {
            if (_host.Function.Timeout > TimeSpan.Zero && !await AnsweredWithinAsync(invocation, invocation.Deadline - DateTimeOffset.UtcNow)
                && invocation.Answer(LambdaOutcome.PlatformError(ErrorDocuments.Timedout, invocation.RequestId, ErrorDocuments.TimedOut(_host.Function.Timeout))))
            {
                ServeLog.Info($"runtime {Index}: invocation {invocation.RequestId} timed out after {Duration.Format(_host.Function.Timeout)}: killing its container");
                await KillAsync();
            }
            var outcome = await invocation.Outcome;
            if (outcome.IsError && outcome.ErrorType is { } type && type != ErrorDocuments.Timedout)
            {
                ServeLog.Info($"runtime {Index}: invocation {invocation.RequestId} failed: {type}");
            }
            return outcome;
        }
        finally
        {
            lock (_gate)
            {
                if (_current == invocation)
                {
                    _current = null;
                    _handedOut = false;
                }
            }
        }
    }

    /// <summary>Whether the invocation has its outcome within left (its timer is gone as soon as it has).</summary>
    private static async Task<bool> AnsweredWithinAsync(LambdaInvocation invocation, TimeSpan left)
    {
        try
        {
            await invocation.Outcome.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// GET .../invocation/next: the invocation for this runtime, as soon as there is one; null
    /// when the slot stops or another GET /next of it replaced this one. Throws
    /// InvalidOperationException when its runtime still owes an answer to the invocation it has.
    /// </summary>
    public async Task<LambdaInvocation?> NextAsync(CancellationToken connectionGone)
    {
        TaskCompletionSource<LambdaInvocation?> waiting;
        lock (_gate)
        {
            _initDone = true;
            _failedStarts = 0;
            if (_current is { } current && !current.IsAnswered)
            {
                if (_handedOut)
                {
                    throw new InvalidOperationException($"invocation {current.RequestId} has no answer yet: post its response or error first");
                }
                _handedOut = true;
                return current;
            }
            if (_stopping)
            {
                return null;
            }
            _next?.TrySetResult(null);
            _next = waiting = new TaskCompletionSource<LambdaInvocation?>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            return await waiting.Task.WaitAsync(connectionGone);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                if (_next == waiting)
                {
                    _next = null;
                }
            }
            throw;
        }
    }

    /// <summary>The invocation given to a GET /next never reached the runtime (its connection broke): the next GET /next gets it again.</summary>
    public void Undeliverable(LambdaInvocation invocation)
    {
        lock (_gate)
        {
            if (_current == invocation && !invocation.IsAnswered)
            {
                _handedOut = false;
            }
        }
    }

    /// <summary>The invocation requestId names, when it is this runtime's and waits for its answer; else null.</summary>
    public LambdaInvocation? Awaiting(string requestId)
    {
        lock (_gate)
        {
            return _current is { } current && _handedOut && !current.IsAnswered && current.RequestId == requestId ? current : null;
        }
    }

    /// <summary>
    /// POST /runtime/init/error: false once the runtime has asked for an invocation (init is over).
    /// The invocation waiting for this runtime's init gets the error, else the next one does; the
    /// container is killed, and another started.
    /// </summary>
    public bool InitFailed(LambdaOutcome error)
    {
        lock (_gate)
        {
            if (_initDone)
            {
                return false;
            }
            _initDone = true; // one init error per container
            if (_current is not { } current || !current.Answer(error))
            {
                _initError = error;
            }
        }
        ServeLog.Info($"runtime {Index}: init failed: {error.ErrorType}; killing its container");
        var dying = KillAsync();
        lock (_gate)
        {
            _dying = dying;
        }
        return true;
    }

    /// <summary>SIGTERM to the runtime, SIGKILL after stopTimeout; no restart after.</summary>
    public async Task StopAsync(TimeSpan stopTimeout)
    {
        ServerProcess? process;
        lock (_gate)
        {
            _stopping = true;
            process = _process;
            _next?.TrySetResult(null);
            _next = null;
        }
        await _starting.WaitAsync(); // a start in progress ends first
        _starting.Release();
        lock (_gate)
        {
            process = _process;
        }
        if (process is null)
        {
            return;
        }
        process.Signal(Signals.SIGTERM);
        if (await Task.WhenAny(process.Exited, Task.Delay(stopTimeout)) != process.Exited)
        {
            ServeLog.Info($"runtime {Index} did not exit within {Duration.Format(stopTimeout)} of SIGTERM (stop_timeout): killing it");
            process.Signal(Signals.SIGKILL);
        }
        await process.Exited;
    }

    /// <summary>SIGKILL to its container; completes once it has exited and the slot knows it.</summary>
    private async Task KillAsync()
    {
        ServerProcess? process;
        Task ended;
        lock (_gate)
        {
            (process, ended) = (_process, _ended);
        }
        process?.Signal(Signals.SIGKILL);
        await ended;
    }

    /// <summary>The end of a container: its invocation, if unanswered, gets Runtime.ExitError. Returns the delay before a --prewarm slot starts another, or null for none.</summary>
    private TimeSpan? Ended(ServerExit exit, long started)
    {
        lock (_gate)
        {
            _process = null;
            var message = exit.OutOfMemory ? "Runtime exited with error: signal: killed (out of memory)" : ErrorDocuments.ExitDescription(exit.Exit.ExitCode, exit.Exit.Signal);
            if (_current is { } current && current.Answer(LambdaOutcome.PlatformError(ErrorDocuments.RuntimeExit, current.RequestId, message)))
            {
                ServeLog.Info($"runtime {Index}: {message} during invocation {current.RequestId}");
            }
            else if (!_stopping && _current is null)
            {
                // (An invocation answered already was killed for it: the timeout said so.)
                ServeLog.Info($"runtime {Index}: {message} after {Duration.Format(Stopwatch.GetElapsedTime(started))}");
            }
            _next?.TrySetResult(null);
            _next = null;
            // A runtime that failed before it reached GET /next is failing at start: back off.
            _failedStarts = _initDone && _initError is null ? 0 : _failedStarts + 1;
            return Prewarmed && !_stopping
                ? _failedStarts == 0 ? TimeSpan.Zero : Min(FirstRestartDelay * Math.Pow(2, Math.Min(_failedStarts - 1, 10)), LongestRestartDelay)
                : null;
        }
    }

    /// <summary>A --prewarm slot's next container, once the last has ended.</summary>
    private async Task RestartAsync(Task<TimeSpan?> ended)
    {
        if (await ended is not { } delay)
        {
            return;
        }
        await Task.Delay(delay);
        try
        {
            await EnsureStartedAsync();
        }
        catch (RunfException e)
        {
            // The next invocation tries again, and answers with this error if it fails too.
            ServeLog.Info($"runtime {Index}: cannot start the runtime again: {e.Message}");
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
