using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// HTTP/1.1 by hand over a loopback socket, for requests no HttpClient sends: a body shorter than
/// its Content-Length, a body that stops arriving.
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    private RawHttpConnection()
    {
    }

    public static async Task<RawHttpConnection> OpenAsync(int port)
    {
        var connection = new RawHttpConnection();
        await connection._socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return connection;
    }

    /// <summary>A POST to path announcing contentLength bytes, then the body as given (perhaps fewer).</summary>
    public Task SendPostAsync(long contentLength, string body, string path = "/") =>
        _socket.SendAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {contentLength}\r\n\r\n{body}"));

    /// <summary>Ends the request side (FIN): the client will send nothing more.</summary>
    public void CloseSending() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>All that arrives until the server closes or resets the connection, or until timeout (then Closed is false).</summary>
    public async Task<(string Text, bool Closed, TimeSpan Elapsed)> ReadToEndAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var text = new StringBuilder();
        var buffer = new byte[65536];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            int n;
            while ((n = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            return (text.ToString(), true, watch.Elapsed);
        }
        catch (SocketException)
        {
            return (text.ToString(), true, watch.Elapsed); // reset: closed as well
        }
        catch (OperationCanceledException)
        {
            return (text.ToString(), false, watch.Elapsed);
        }
    }

    public void Dispose() => _socket.Dispose();
}
