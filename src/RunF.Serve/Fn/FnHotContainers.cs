using System.Threading.Channels;
using RunF.Serve.HttpMode;
using RunF.Serve.Logging;
using RunF.Serve.OpenWhisk;

namespace RunF.Serve.Fn;

/// <summary>
/// mode=fn's hot containers, --prewarm of them (at least one), all started with runf serve and
/// kept running; a call takes an idle one and gives it back when answered, and waits while all
/// are busy. Their sockets' directories are in the agent's directory (0700, the agent's only),
/// removed once they have stopped.
/// </summary>
internal sealed class FnHotContainers : IRunningFunction
{
    /// <summary>The agent's directory's name in runf's state directory: fn-RANDOM.</summary>
    public const string DirectoryPrefix = "fn-";

    private readonly IReadOnlyList<FnHotContainer> _all;
    private readonly ActionDirectory _agentDirectory;
    private readonly Channel<FnHotContainer> _idle = Channel.CreateUnbounded<FnHotContainer>();
    private readonly Lazy<Task> _stopped;

    public FnHotContainers(ActionDirectory agentDirectory, IReadOnlyList<FnHotContainer> all)
    {
        _agentDirectory = agentDirectory;
        _all = all;
        _stopped = new(StopOnceAsync);
    }

    public string Where => $"{_all.Count} hot container{(_all.Count == 1 ? "" : "s")}, FN_LISTENER={FnSocketEndpoint.Listener}";

    public bool IsUp => _all.Any(c => c.Server.IsUp);

    public long Restarts => _all.Sum(c => c.Server.Restarts);

    public async Task StartAsync()
    {
        ServeLog.Info($"the hot containers' socket directories are in {_agentDirectory.DirectoryPath}");
        foreach (var container in _all)
        {
            await container.Server.StartAsync();
            _idle.Writer.TryWrite(container);
        }
    }

    /// <summary>Completes once one container is up.</summary>
    public async Task WhenUpAsync(CancellationToken token) => await await Task.WhenAny(_all.Select(c => c.Server.WhenUpAsync(token)));

    /// <summary>
    /// An idle container for a call, which Return gives back; cancelled by token. One that is up
    /// is taken before one that is (re)starting, which the call would wait for.
    /// </summary>
    public async ValueTask<FnHotContainer> TakeAsync(CancellationToken token)
    {
        var first = await _idle.Reader.ReadAsync(token);
        if (first.Server.IsUp)
        {
            return first;
        }
        var passed = new List<FnHotContainer>();
        FnHotContainer? up = null;
        while (up is null && _idle.Reader.TryRead(out var next))
        {
            if (next.Server.IsUp)
            {
                up = next;
            }
            else
            {
                passed.Add(next);
            }
        }
        foreach (var container in passed)
        {
            _idle.Writer.TryWrite(container);
        }
        if (up is null)
        {
            return first;
        }
        _idle.Writer.TryWrite(first);
        return up;
    }

    public void Return(FnHotContainer container) => _idle.Writer.TryWrite(container);

    public Task StopAsync() => _stopped.Value;

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopOnceAsync()
    {
        await Task.WhenAll(_all.Select(c => c.DisposeAsync().AsTask()));
        _agentDirectory.Dispose();
    }
}
