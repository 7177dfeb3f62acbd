using System.Net.Sockets;

namespace RunF.Serve.HttpMode;

/// <summary>mode=http's server: upstream_url's host and port.</summary>
public sealed class TcpServerEndpoint(Uri url) : IServerEndpoint
{
    public string Name => url.Authority;

    public string Address => url.ToString();

    public string AlreadyListening =>
        $"something already listens on upstream_url {url}: the function's requests would go to it; stop it, or give the function's server another port (upstream_url)";

    public void Prepare()
    {
    }

    public async Task<bool> AcceptsAsync(CancellationToken token)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(url.DnsSafeHost, url.Port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
