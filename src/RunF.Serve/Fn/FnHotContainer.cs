using System.Net;
using System.Net.Sockets;
using RunF.Runtime.Invoke;
using RunF.Serve.HttpMode;

namespace RunF.Serve.Fn;

/// <summary>
/// One of mode=fn's hot containers: the FDK's process, kept running and restarted when it exits
/// (UpstreamServer, as mode=http's server), and the HTTP client that sends it calls over its
/// unix socket (FnSocketEndpoint). It takes one call at a time, as Fn's agent gives a hot
/// container one slot.
/// </summary>
public sealed class FnHotContainer(UpstreamServer server) : IAsyncDisposable
{
    private readonly FnSocketEndpoint _endpoint = (FnSocketEndpoint)server.Endpoint;
    private HttpMessageInvoker? _client;

    public UpstreamServer Server => server;

    /// <summary>The client for the container's socket: one connection, kept alive between calls (as Fn's transport).</summary>
    public HttpMessageInvoker Client => _client ??= NewClient();

    /// <summary>
    /// Kills the container, which is then started again, and drops its connection: what Fn's
    /// agent does to a hot container that overran its call's timeout, broke the contract, or whose
    /// socket failed. serving is the container the call went to (UpstreamServer.Running): one
    /// started since is left alone.
    /// </summary>
    public void Replace(ServerProcess? serving)
    {
        if (serving is not null)
        {
            server.Kill(serving);
        }
        _client?.Dispose();
        _client = null;
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        _client?.Dispose();
    }

    private HttpMessageInvoker NewClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        MaxConnectionsPerServer = 1,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1),
        ConnectCallback = async (_, token) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(_endpoint.PrivateSocket), token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
