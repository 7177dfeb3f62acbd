using System.Net;
using Microsoft.Extensions.Primitives;

namespace RunF.Serve.HttpMode;

/// <summary>
/// Which headers mode=http passes between the client and the function's server, both ways: the
/// end-to-end ones, with all their values. The hop-by-hop headers (RFC 9110 7.6.1: Go's
/// ReverseProxy list, which the of-watchdog uses for streams, and any header the Connection
/// header names) describe one connection, not the message, and stop here. Host passes as the
/// client sent it, as the of-watchdog sets it; X-Forwarded-For gets the client's address appended,
/// as Go's ReverseProxy does.
/// </summary>
public static class ProxyHeaders
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    /// <summary>
    /// Headers of a request that the proxy sets itself rather than copies: Host (the client's,
    /// set apart), Content-Length (the body's framing, set with the body), Expect (Kestrel has
    /// answered the 100-continue already), X-Forwarded-For (extended).
    /// </summary>
    private static readonly HashSet<string> SetByTheProxy = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Expect", "X-Forwarded-For",
    };

    /// <summary>The test of a message whose Connection header is connection: whether a header of it passes the proxy.</summary>
    public static Func<string, bool> EndToEnd(StringValues connection)
    {
        if (connection.Count == 0)
        {
            return name => !HopByHop.Contains(name);
        }
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in connection)
        {
            named.UnionWith((value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }
        return name => !HopByHop.Contains(name) && !named.Contains(name);
    }

    /// <summary>The request headers copied as they are to the function's server.</summary>
    public static IEnumerable<KeyValuePair<string, StringValues>> OfRequest(IEnumerable<KeyValuePair<string, StringValues>> headers, StringValues connection)
    {
        var endToEnd = EndToEnd(connection);
        return headers.Where(h => !SetByTheProxy.Contains(h.Key) && endToEnd(h.Key));
    }

    /// <summary>The response headers copied as they are to the client (Content-Length included).</summary>
    public static IEnumerable<KeyValuePair<string, StringValues>> OfResponse(IEnumerable<KeyValuePair<string, StringValues>> headers, StringValues connection)
    {
        var endToEnd = EndToEnd(connection);
        return headers.Where(h => endToEnd(h.Key));
    }

    /// <summary>X-Forwarded-For with the client appended: "prior, client", or "client" alone.</summary>
    public static string? ForwardedFor(StringValues prior, IPAddress? client)
    {
        if (client is null)
        {
            return prior.Count == 0 ? null : string.Join(", ", prior.ToArray());
        }
        var address = (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();
        return prior.Count == 0 ? address : string.Join(", ", prior.ToArray()) + ", " + address;
    }
}
