using System.Globalization;
using Microsoft.Extensions.Primitives;
using RunF.Serve.HttpMode;

namespace RunF.Serve.Fn;

/// <summary>
/// The headers of Fn's contract, both ways, as Fn's server and agent write them. Fn has two
/// fronts: /invoke/{fnID}, which passes the client's headers on and the function's back as they
/// are, and the HTTP trigger, which wraps the client's request into Fn-Http-* headers (the
/// client's headers as Fn-Http-H-NAME, its method and URL) and unwraps the function's answer
/// (Fn-Http-Status becomes the status, Fn-Http-H-NAME the header NAME; only Content-Type and
/// Fn-Call-Id pass besides). Both drop the hop-by-hop headers, and the agent adds Fn-Call-Id and
/// Fn-Deadline to every call.
/// </summary>
public static class FnHeaders
{
    public const string CallId = "Fn-Call-Id";
    public const string Deadline = "Fn-Deadline";
    public const string HttpPrefix = "Fn-Http-H-";
    public const string HttpStatus = "Fn-Http-Status";

    /// <summary>Headers not copied to the call: Host (Go keeps it out of the header map), the body's framing (set with the body), Expect (answered already).</summary>
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase) { "Host", "Content-Length", "Expect" };

    /// <summary>Fn-Deadline: the call's deadline in RFC 3339, to the second, as Go's time.RFC3339 writes it in UTC.</summary>
    public static string DeadlineOf(DateTimeOffset deadline) =>
        deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>/invoke: the client's end-to-end headers as they are.</summary>
    public static IEnumerable<KeyValuePair<string, StringValues>> ForInvoke(IEnumerable<KeyValuePair<string, StringValues>> client, StringValues connection)
    {
        var endToEnd = ProxyHeaders.EndToEnd(connection);
        return client.Where(h => endToEnd(h.Key) && !NotCopied.Contains(h.Key) && !IsSetByTheAgent(h.Key));
    }

    /// <summary>
    /// The HTTP trigger: each end-to-end header of the client as Fn-Http-H-NAME (Content-Type as
    /// it is, and Content-Length wrapped too, as Go's header map holds it), then Fn-Http-Method,
    /// Fn-Http-Request-Url (the whole URL) and Fn-Intent: httprequest.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, StringValues>> ForTrigger(IEnumerable<KeyValuePair<string, StringValues>> client, StringValues connection, string method, string url)
    {
        var endToEnd = ProxyHeaders.EndToEnd(connection);
        foreach (var (name, values) in client)
        {
            if (!endToEnd(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Expect", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            yield return new(name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) ? name : HttpPrefix + name, values);
        }
        yield return new("Fn-Http-Method", method);
        yield return new("Fn-Http-Request-Url", url);
        yield return new("Fn-Intent", "httprequest");
    }

    /// <summary>/invoke's answer: the function's end-to-end headers as they are (Content-Length is set by runf serve, for the buffered body).</summary>
    public static IEnumerable<KeyValuePair<string, StringValues>> FromInvoke(IEnumerable<KeyValuePair<string, StringValues>> function, StringValues connection)
    {
        var endToEnd = ProxyHeaders.EndToEnd(connection);
        return function.Where(h => endToEnd(h.Key) && !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The HTTP trigger's answer: the status the function set in Fn-Http-Status (200 when none, or
    /// when it is not a number from 100 to 999), Fn-Http-H-NAME as NAME, Content-Type and Fn-Call-Id;
    /// nothing else of the function's.
    /// </summary>
    public static (int Status, List<KeyValuePair<string, StringValues>> Headers) FromTrigger(IEnumerable<KeyValuePair<string, StringValues>> function)
    {
        var status = 200;
        var headers = new List<KeyValuePair<string, StringValues>>();
        foreach (var (name, values) in function)
        {
            if (name.StartsWith(HttpPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > HttpPrefix.Length)
            {
                headers.Add(new(name[HttpPrefix.Length..], values));
            }
            else if (name.Equals(HttpStatus, StringComparison.OrdinalIgnoreCase))
            {
                if (values.Count > 0 && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 999)
                {
                    status = code;
                }
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals(CallId, StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(new(name, values));
            }
        }
        return (status, headers);
    }

    private static bool IsSetByTheAgent(string name) =>
        name.Equals(CallId, StringComparison.OrdinalIgnoreCase) || name.Equals(Deadline, StringComparison.OrdinalIgnoreCase);
}
