namespace RunF.Serve.HttpMode;

/// <summary>Where UpstreamServer's long-running function server is reached, and how it is probed: a TCP port (mode=http) or a unix socket (mode=fn).</summary>
public interface IServerEndpoint
{
    /// <summary>How the log names it ("127.0.0.1:8082").</summary>
    string Name { get; }

    /// <summary>How the ready line names it: upstream_url, or FN_LISTENER.</summary>
    string Address { get; }

    /// <summary>The error when something accepts connections there before the server's first start: it would receive the function's requests.</summary>
    string AlreadyListening { get; }

    /// <summary>Called before each start of the server: clears what a previous one left.</summary>
    void Prepare();

    /// <summary>Whether a connection to it succeeds now.</summary>
    Task<bool> AcceptsAsync(CancellationToken token);
}
