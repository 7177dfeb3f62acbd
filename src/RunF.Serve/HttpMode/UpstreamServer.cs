using System.Diagnostics;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Launch;
using RunF.Runtime.Spec;
using RunF.Serve.Logging;

namespace RunF.Serve.HttpMode;

/// <summary>
/// A function's long-running HTTP server (mode=http's, and each of mode=fn's hot containers), run
/// in one function container and kept running. It is up once its endpoint (a port, a unix socket)
/// accepts a connection; when it exits it is logged and started again (after a
/// delay that grows while it keeps failing: a server that crashes at start must not take the
/// CPU); StopAsync, after the drain, sends it SIGTERM and SIGKILL after stop_timeout. One task
/// owns the container from its start to its exit, so a stop never races a restart.
/// </summary>
public sealed class UpstreamServer : IRunningFunction
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRestartDelay = TimeSpan.FromSeconds(5);

    /// <summary>A server that ran this long before exiting is restarted after the first delay again.</summary>
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(10);

    private readonly FunctionServer _function;
    private readonly ServerOutput _output;
    private readonly IServerEndpoint _endpoint;
    private readonly TimeSpan _stopTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _supervision = Task.CompletedTask;
    private volatile ServerProcess? _current;
    private readonly Lazy<Task> _stopped;
    private long _restarts;

    public UpstreamServer(FunctionServer function, ServerOutput output, IServerEndpoint endpoint, TimeSpan stopTimeout)
    {
        _function = function;
        _output = output;
        _endpoint = endpoint;
        _stopTimeout = stopTimeout;
        _stopped = new Lazy<Task>(StopOnceAsync);
    }

    public string Where => $"its server at {_endpoint.Address}";

    public IServerEndpoint Endpoint => _endpoint;

    /// <summary>Whether the server accepts connections now.</summary>
    public bool IsUp
    {
        get
        {
            lock (_gate)
            {
                return _up.Task.IsCompleted;
            }
        }
    }

    /// <summary>Times the server has been started again after it exited.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>
    /// Starts the server. Its first start fails as the agent's start fails (one line, exit 125):
    /// the rootfs or the host cannot run it at all. Something else listening on its port is an
    /// error too: it would receive the function's requests.
    /// </summary>
    public async Task StartAsync()
    {
        _endpoint.Prepare();
        if (await _endpoint.AcceptsAsync(CancellationToken.None))
        {
            throw new RunfException(_endpoint.AlreadyListening);
        }
        var first = await _function.StartAsync(_output);
        _supervision = Task.Run(() => SuperviseAsync(first));
    }

    /// <summary>Completes when the server accepts connections; cancelled by token.</summary>
    public Task WhenUpAsync(CancellationToken token)
    {
        Task up;
        lock (_gate)
        {
            up = _up.Task;
        }
        return up.WaitAsync(token);
    }

    /// <summary>
    /// Kills the server at once (SIGKILL) if which is still the one running; it is then started again as after a crash:
    /// mode=fn's hot container that overran its call's timeout or broke the contract cannot take
    /// another call.
    /// </summary>
    public void Kill(ServerProcess which)
    {
        if (_current == which)
        {
            MarkDown();
            which.Signal(Signals.SIGKILL);
        }
    }

    /// <summary>The container running now (the last one started); Kill takes it, so that a call that failed never kills the container started after it.</summary>
    public ServerProcess? Running => _current;

    /// <summary>SIGTERM to the server, SIGKILL after stop_timeout; completes once it has exited and its container is gone.</summary>
    public Task StopAsync() => _stopped.Value;

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    private async Task StopOnceAsync()
    {
        _stopping.Cancel();
        await _supervision;
        await _function.DisposeAsync();
    }

    private async Task SuperviseAsync(ServerProcess server)
    {
        var delay = FirstRestartDelay;
        var stopping = Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            _current = server;
            ServeLog.Info($"started the function's server in container {server.Id}, waiting for {_endpoint.Name}");
            _ = ProbeUntilUpAsync(server, started);
            if (await Task.WhenAny(server.Exited, stopping) == stopping)
            {
                await TerminateAsync(server);
                return;
            }
            MarkDown();
            var exit = await server.Exited;
            var ran = Stopwatch.GetElapsedTime(started);
            delay = ran >= Stable ? FirstRestartDelay : delay;
            ServeLog.Info($"the function's server {Describe(exit)} after {Duration.Format(ran)}; requests it had in flight fail with 502; restarting it in {Duration.Format(delay)}");
            if (await StartAgainAsync(delay, stopping) is not { } next)
            {
                return;
            }
            server = next;
            Interlocked.Increment(ref _restarts);
            delay = Min(delay * 2, LongestRestartDelay);
        }
    }

    /// <summary>Starts a new server after delay, retrying while it cannot start; null when stopped first.</summary>
    private async Task<ServerProcess?> StartAgainAsync(TimeSpan delay, Task stopping)
    {
        while (true)
        {
            if (await Task.WhenAny(Task.Delay(delay), stopping) == stopping)
            {
                return null;
            }
            try
            {
                _endpoint.Prepare();
                return await _function.StartAsync(_output);
            }
            catch (RunfException e)
            {
                delay = Min(delay * 2, LongestRestartDelay);
                ServeLog.Info($"cannot start the function's server again: {e.Message}; trying again in {Duration.Format(delay)}");
            }
        }
    }

    /// <summary>Connects to the upstream until it accepts (then it is up) or the server exits.</summary>
    private async Task ProbeUntilUpAsync(ServerProcess server, long started)
    {
        while (!server.Exited.IsCompleted && !_stopping.IsCancellationRequested)
        {
            if (await _endpoint.AcceptsAsync(_stopping.Token))
            {
                lock (_gate)
                {
                    if (!server.Exited.IsCompleted)
                    {
                        _up.TrySetResult();
                    }
                }
                ServeLog.Info($"the function's server is up: {_endpoint.Name} accepts connections ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms after its start)");
                return;
            }
            await Task.WhenAny(Task.Delay(ProbeInterval), server.Exited);
        }
    }

    private void MarkDown()
    {
        lock (_gate)
        {
            if (_up.Task.IsCompleted)
            {
                _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private async Task TerminateAsync(ServerProcess server)
    {
        MarkDown();
        server.Signal(Signals.SIGTERM);
        if (await Task.WhenAny(server.Exited, Task.Delay(_stopTimeout)) != server.Exited)
        {
            ServeLog.Info($"the function's server did not exit within {Duration.Format(_stopTimeout)} of SIGTERM (stop_timeout): killing it");
            server.Signal(Signals.SIGKILL);
        }
        ServeLog.Info($"the function's server {Describe(await server.Exited)}");
    }

    private static string Describe(ServerExit end) =>
        end.OutOfMemory ? "was killed: out of memory"
        : end.Exit.Signal is { } signal ? $"was killed by signal {signal}"
        : $"exited with status {end.Exit.ExitCode}";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
