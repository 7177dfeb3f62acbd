using Microsoft.AspNetCore.Http;

namespace RunF.Serve.Http;

/// <summary>The short text answers runf serve writes itself (errors, health, metrics).</summary>
public static class PlainText
{
    public const string Utf8 = "text/plain; charset=utf-8";

    public static Task WriteAsync(HttpResponse response, int status, string text, string contentType = Utf8)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        return response.WriteAsync(text);
    }
}
