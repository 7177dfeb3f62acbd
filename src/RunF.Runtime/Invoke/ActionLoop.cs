using RunF.Runtime.Spec;
using Serilog;

namespace RunF.Runtime.Invoke;

/// <summary>
/// An action that serves many activations in one long-lived container, as OpenWhisk's actionloop
/// runtimes do: each activation is one line on its stdin, its result one line on its fd 3, one
/// activation at a time. The container is made as every other (FunctionTemplate, then
/// ContainerFactory.Prepare and the dispatch, here with fd 3), started at creation, and started
/// again for the next activation once it has died.
/// </summary>
public sealed class ActionLoop : IAsyncDisposable
{
    private readonly FunctionTemplate _function;
    private readonly LoopLogs _logs;
    private readonly long _maxResult;
    // One thread: it cloned the running container, whose parent-death signal follows it.
    private readonly LauncherThreads _launcher = new(1);
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly List<Task> _releasing = [];
    private LoopContainer? _container;

    private ActionLoop(FunctionTemplate function, LoopLogs logs, long maxResult)
    {
        _function = function;
        _logs = logs;
        _maxResult = maxResult;
    }

    /// <summary>
    /// Resolves the action and starts its container, so that what cannot run fails here (at
    /// /init, or at start-up for a blackbox action) with runf's own line.
    /// </summary>
    public static async Task<ActionLoop> CreateAsync(RunRequest template, ImageDefaults? image, LoopLogs logs, long maxResult)
    {
        var loop = new ActionLoop(new FunctionTemplate(template, image), logs, maxResult);
        try
        {
            loop._container = await loop.StartAsync();
        }
        catch
        {
            await loop.DisposeAsync();
            throw;
        }
        return loop;
    }

    /// <summary>
    /// Gives the action one activation: line is one JSON line, newline included. Waits its turn
    /// behind the activation in progress. A timeout or cancellation kills the container, and the
    /// next activation starts another.
    /// </summary>
    public async Task<LoopActivation> ActivateAsync(ReadOnlyMemory<byte> line, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            var restarted = false;
            if (_container is not { Alive: true })
            {
                if (_container is not null)
                {
                    Log.Information("the action's container has ended: starting another");
                }
                _container?.Kill();
                _container = await StartAsync();
                restarted = true;
            }
            var activation = await _container.ActivateAsync(line, timeout, cancellationToken);
            return activation with { Restarted = restarted };
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _turn.WaitAsync();
        _container?.Kill();
        await Task.WhenAll(_releasing);
        _launcher.Dispose();
        _turn.Dispose();
    }

    private async Task<LoopContainer> StartAsync()
    {
        var warm = await _launcher.Run(_function.Prepare);
        var container = LoopContainer.Start(warm, _function.Args, _logs, _maxResult);
        _releasing.RemoveAll(t => t.IsCompleted);
        _releasing.Add(container.Ended);
        return container;
    }
}
