namespace RunF.Serve.HttpMode;

/// <summary>
/// A function that runs before the requests and keeps running: mode=http's server
/// (UpstreamServer) or mode=fn's hot containers (Fn.FnHotContainers). runf serve starts it, is
/// ready once it is up, and stops it after the drain.
/// </summary>
public interface IRunningFunction : IAsyncDisposable
{
    /// <summary>How the ready line names where it is reached.</summary>
    string Where { get; }

    /// <summary>Whether it takes requests now.</summary>
    bool IsUp { get; }

    /// <summary>Times a container of it has been started again after it exited.</summary>
    long Restarts { get; }

    /// <summary>Starts it; a failure of the first start is the agent's (one line, exit 125).</summary>
    Task StartAsync();

    /// <summary>Completes once it takes requests; cancelled by token.</summary>
    Task WhenUpAsync(CancellationToken token);

    /// <summary>Stops it: SIGTERM, SIGKILL after stop_timeout; completes once no container of it is left.</summary>
    Task StopAsync();
}
