using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Http;
using RunF.Serve.IO;
using RunF.Serve.Logging;

namespace RunF.Serve.HttpMode;

/// <summary>
/// The of-watchdog's mode=http: every request, whatever its method and path, is forwarded to the
/// function's long-running server (UpstreamServer) and its answer streamed back, both bodies as
/// they come. exec_timeout (or a shorter X-Timeout) bounds the whole exchange, max_inflight the
/// requests at once. A request that arrives while the server is starting (or restarting) waits
/// for it within its timeout.
/// </summary>
public sealed class HttpModeFront(ServeConfig config, UpstreamServer server, UpstreamClient client, ServeState state)
{
    public Task HandleAsync(HttpContext context) => state.RunCountedAsync(context, () => ForwardAsync(context));

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var timeout = Invocations.TimeoutOf(request, config, out var error);
        if (timeout is null)
        {
            await PlainText.WriteAsync(context.Response, StatusCodes.Status400BadRequest, error + "\n");
            return;
        }
        var id = Invocations.IdOf(request);
        var started = Stopwatch.GetTimestamp();
        using var body = new CheckedRequestBody(request.Body, request.ContentLength, config.ReadTimeout);
        using var deadline = new CancellationTokenSource(timeout.Value);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline.Token, body.Failed);
        using var buffered = config.BufferHttp && HasBody(request) ? new ResponseBuffer(config.MaxResponseSize) : null;
        try
        {
            await server.WhenUpAsync(stop.Token);
            if (buffered is not null && !await BufferAsync(body, buffered, stop.Token))
            {
                await Refuse(context, started, StatusCodes.Status413PayloadTooLarge,
                    $"the request body exceeds max_response_size ({ByteSize.Format(buffered.Limit)}), the most buffer_http holds: raise it (--max-response-size) or turn buffer_http off\n");
                return;
            }
            using var message = client.RequestFor(context, ContentOf(request, body, buffered));
            using var answer = await client.SendAsync(message, stop.Token);
            UpstreamClient.CopyHead(answer, context.Response);
            context.Response.Headers["X-Duration-Seconds"] = Invocations.Seconds(Stopwatch.GetElapsedTime(started));
            await UpstreamClient.CopyBodyAsync(answer, context.Response, stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            await FailedAsync(context, id, started, timeout.Value, deadline, body, e);
        }
    }

    /// <summary>Why the exchange ended early, answered if nothing was sent yet, else the response cut.</summary>
    private async Task FailedAsync(HttpContext context, string id, long started, TimeSpan timeout, CancellationTokenSource deadline, CheckedRequestBody body, Exception e)
    {
        string? message;
        int status;
        if (body.Failure is { } failure)
        {
            (status, message) = (failure.Status, failure.Message);
        }
        else if (deadline.IsCancellationRequested)
        {
            (status, message) = (StatusCodes.Status504GatewayTimeout, server.IsUp
                ? $"function timed out after {Duration.Format(timeout)}"
                : $"function timed out after {Duration.Format(timeout)}: its server was not up");
        }
        else if (context.RequestAborted.IsCancellationRequested)
        {
            ServeLog.Info($"[{id}] client went away: request to the function's server stopped");
            return;
        }
        else
        {
            (status, message) = (StatusCodes.Status502BadGateway, $"the function's server did not answer: {e.Message}");
        }
        if (context.Response.HasStarted)
        {
            ServeLog.Info($"[{id}] {message}: response cut");
            context.Abort();
            return;
        }
        ServeLog.Info($"[{id}] {message}");
        context.Response.Clear();
        if (body.Failure is not null)
        {
            // The rest of a broken body is not read: the connection cannot carry another request.
            context.Response.Headers.Connection = "close";
        }
        await Refuse(context, started, status, message + "\n");
    }

    /// <summary>An answer of runf serve's own, marked as the of-watchdog marks its own.</summary>
    private static Task Refuse(HttpContext context, long started, int status, string text)
    {
        context.Response.Headers["X-Duration-Seconds"] = Invocations.Seconds(Stopwatch.GetElapsedTime(started));
        context.Response.Headers["X-OpenFaaS-Internal"] = "of-watchdog";
        return PlainText.WriteAsync(context.Response, status, text);
    }

    /// <summary>A body is forwarded when the request has one: a length (0 included, as sent) or chunks.</summary>
    private static bool HasBody(HttpRequest request) => request.ContentLength is not null || request.Headers.TransferEncoding.Count > 0;

    /// <summary>The client's body as it arrives, with its length when it has one (chunked otherwise); or the buffered body.</summary>
    private static HttpContent? ContentOf(HttpRequest request, CheckedRequestBody body, ResponseBuffer? buffered)
    {
        if (buffered is not null)
        {
            return new BufferedContent(buffered);
        }
        if (!HasBody(request))
        {
            return null;
        }
        var content = new StreamedContent(body);
        content.Headers.ContentLength = request.ContentLength;
        return content;
    }

    /// <summary>buffer_http: the whole body into buffered; false when it exceeds the limit.</summary>
    private static async Task<bool> BufferAsync(CheckedRequestBody body, ResponseBuffer buffered, CancellationToken cancellationToken)
    {
        try
        {
            await body.CopyToAsync(buffered, 64 * 1024, cancellationToken);
            return true;
        }
        catch (IOException) when (buffered.Overflowed)
        {
            return false;
        }
    }

    /// <summary>
    /// The client's body, each part sent on as it arrives: StreamContent's copy leaves small parts
    /// in the connection's buffer until it fills, and the server would not see them.
    /// </summary>
    private sealed class StreamedContent(Stream body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int n;
                while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                    await stream.FlushAsync(cancellationToken);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>A buffered body, sent with its Content-Length.</summary>
    private sealed class BufferedContent(ResponseBuffer buffer) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            buffer.SendAsync(stream, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken) =>
            buffer.SendAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = buffer.Written;
            return true;
        }
    }
}
