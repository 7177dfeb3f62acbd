using System.Text;
using Microsoft.AspNetCore.Http;

namespace RunF.Serve.Http;

/// <summary>
/// The watchdogs' view of a request as environment variables: Http_Method, Http_Path,
/// Http_Query, one Http_Name per header (in Go's canonical form, dashes as underscores:
/// Http_Content_Type, Http_X_Call_Id), Http_Transfer_Encoding, and as the classic watchdog
/// Http_Host, Http_Content_Length and Http_ContentLength (the body's length, 0 without one,
/// -1 chunked). A superset of both watchdogs': the of-watchdog lacks the last three (it has
/// Http_Content_Length only when the client sent the header, with the same value).
/// </summary>
public static class RequestEnvironment
{
    /// <summary>
    /// The variables that come from the request line, Host and the body's framing. A header whose
    /// variable has one of these names (`Method:`, `Query:`, `Path:`) is dropped: the client
    /// must not be able to tell the function another method, path or query than the request's.
    /// Http_Query is reserved even when the request has no query.
    /// </summary>
    private static readonly HashSet<string> FromTheRequest = new(StringComparer.Ordinal)
    {
        "Http_Method", "Http_Path", "Http_Query", "Http_Transfer_Encoding", "Http_ContentLength", "Http_Content_Length", "Http_Host",
    };

    public static List<string> For(HttpRequest request)
    {
        var env = new List<string>();
        foreach (var (name, values) in request.Headers)
        {
            // Go's server takes Host and Transfer-Encoding out of the header map; the watchdog
            // passes the second one on its own.
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var variable = VariableFor(name);
            if (!FromTheRequest.Contains(variable))
            {
                env.Add(variable + "=" + values[0]);
            }
        }
        // After the headers, so that they win even where a later pair of the same name would.
        env.Add("Http_Method=" + request.Method);
        if (request.QueryString.HasValue)
        {
            env.Add("Http_Query=" + request.QueryString.Value![1..]);
        }
        env.Add("Http_Path=" + (request.PathBase + request.Path).Value); // decoded, as Go's URL.Path
        if (request.Headers.TransferEncoding is { Count: > 0 } transferEncoding)
        {
            env.Add("Http_Transfer_Encoding=" + transferEncoding[0]);
        }
        // -1 when the length is not known in advance (chunked), as Go's Request.ContentLength.
        var length = request.ContentLength ?? (request.Headers.TransferEncoding.Count > 0 ? -1 : 0);
        env.Add("Http_ContentLength=" + length);
        env.Add("Http_Content_Length=" + length);
        if (request.Host.HasValue)
        {
            env.Add("Http_Host=" + request.Host.Value);
        }
        return env;
    }

    /// <summary>"x-call-id" becomes Http_X_Call_Id: Go's CanonicalMIMEHeaderKey, then dashes to underscores.</summary>
    public static string VariableFor(string header)
    {
        var name = new StringBuilder("Http_", header.Length + 5);
        var upper = true;
        foreach (var c in header)
        {
            name.Append(c == '-' ? '_' : upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            upper = c == '-';
        }
        return name.ToString();
    }
}
