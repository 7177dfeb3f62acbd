using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace RunF.Serve.HttpMode;

/// <summary>
/// The HTTP client of mode=http: requests to the function's server, built from the client's as
/// the of-watchdog builds them (upstream_url followed by the request's own target, the client's
/// method, Host and end-to-end headers: ProxyHeaders), and answers copied back as they come.
/// Nothing is added that the of-watchdog would not send: no redirects followed, no decompression,
/// no cookies, no proxy from the environment, no trace headers.
/// </summary>
public sealed class UpstreamClient : IDisposable
{
    private const int CopyBuffer = 64 * 1024;

    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
    });

    /// <summary>upstream_url without a trailing slash: the request's target, which starts with one, follows it.</summary>
    private readonly string _base;

    public UpstreamClient(Uri upstreamUrl)
    {
        _base = upstreamUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The request to the function's server for the client's request, with content as its body (null for none).</summary>
    public HttpRequestMessage RequestFor(HttpContext context, HttpContent? content)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), new Uri(_base + TargetOf(context)))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        foreach (var (name, values) in ProxyHeaders.OfRequest(request.Headers, request.Headers.Connection))
        {
            // Content-* headers belong to the content; without a body they have nothing to describe.
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        if (request.Host.HasValue)
        {
            message.Headers.Host = request.Host.Value;
        }
        if (ProxyHeaders.ForwardedFor(request.Headers["X-Forwarded-For"], context.Connection.RemoteIpAddress) is { } forwardedFor)
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }
        return message;
    }

    /// <summary>Sends the request; completes with the answer's status and headers, its body still to come.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken) =>
        _invoker.SendAsync(message, cancellationToken);

    /// <summary>The answer's status and end-to-end headers onto the client's response (not sent yet).</summary>
    public static void CopyHead(HttpResponseMessage answer, HttpResponse response)
    {
        response.StatusCode = (int)answer.StatusCode;
        var endToEnd = ProxyHeaders.EndToEnd(answer.Headers.NonValidated.TryGetValues("Connection", out var c) ? new StringValues([.. c]) : StringValues.Empty);
        foreach (var headers in (IEnumerable<HttpHeadersNonValidated>)[answer.Headers.NonValidated, answer.Content.Headers.NonValidated])
        {
            foreach (var (name, values) in headers)
            {
                if (endToEnd(name))
                {
                    response.Headers[name] = new StringValues([.. values]);
                }
            }
        }
    }

    /// <summary>The answer's body to the client as it arrives: each read is written (and so sent) at once.</summary>
    public static async Task CopyBodyAsync(HttpResponseMessage answer, HttpResponse response, CancellationToken cancellationToken)
    {
        await using var body = await answer.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await response.Body.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>The request's target as the client wrote it (the of-watchdog's RequestURI), or its path and query rebuilt for an absolute-form one.</summary>
    private static string TargetOf(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            return raw;
        }
        var request = context.Request;
        return (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
    }
}
