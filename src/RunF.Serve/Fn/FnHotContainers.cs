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

    /// <summary>An idle container for a call, which Return gives back; cancelled by token.</summary>
    public ValueTask<FnHotContainer> TakeAsync(CancellationToken token) => _idle.Reader.ReadAsync(token);

    public void Return(FnHotContainer container) => _idle.Writer.TryWrite(container);

    public Task StopAsync() => _stopped.Value;

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopOnceAsync()
    {
        await Task.WhenAll(_all.Select(c => c.DisposeAsync().AsTask()));
        _agentDirectory.Dispose();
    }
}
