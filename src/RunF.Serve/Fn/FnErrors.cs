using System.Text;
using Microsoft.AspNetCore.Http;

namespace RunF.Serve.Fn;

/// <summary>
/// The answers Fn's server gives of its own, with its words: a JSON {"message": ...} (Go's
/// json.Encoder, so a newline ends it), application/json.
/// </summary>
public static class FnErrors
{
    /// <summary>The call could not be sent, or its answer not read: the container is replaced (502).</summary>
    public const string FunctionResponse = "error receiving function response";

    /// <summary>The FDK answered 502: the function failed (threw); the container stays.</summary>
    public const string FunctionFailed = "function failed";

    /// <summary>The FDK answered neither 200, 502 nor 504: the container is replaced (502).</summary>
    public const string InvalidResponse = "invalid function response";

    /// <summary>The body passed max_response_size (502).</summary>
    public const string ResponseTooBig = "function response body too large";

    /// <summary>The call's timeout passed, or the FDK answered 504 (504).</summary>
    public const string TimedOut = "Timed out";

    /// <summary>No container was free within the call's timeout (503, with Retry-After: 15).</summary>
    public const string ServerBusy = "Timed out - server too busy";

    /// <summary>The container taken for the call did not open its socket within the call's timeout (504).</summary>
    public const string InitTimeout = "Container initialization timed out, please ensure you are using the latest fdk and check the logs";

    public const string FnNotFound = "Fn not found";

    public static Task WriteAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        var body = System.Text.Encoding.UTF8.GetBytes(Json(message) + "\n");
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    /// <summary>{"message":"..."}, escaped as Go's encoder escapes it (&lt;, &gt;, &amp;, U+2028 and U+2029 too; other text as it is).</summary>
    public static string Json(string message)
    {
        var json = new StringBuilder("{\"message\":\"");
        foreach (var c in message)
        {
            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return json.Append("\"}").ToString();
    }
}
