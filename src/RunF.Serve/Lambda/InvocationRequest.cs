using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RunF.Serve.Lambda;

/// <summary>What an invoke request carries beside its event, read and checked: the headers that become the runtime API's.</summary>
public static class InvocationRequest
{
    /// <summary>
    /// X-Amz-Client-Context: base64 of a JSON document, which the runtime gets decoded as
    /// Lambda-Runtime-Client-Context (as the emulator decodes it). Null when fine (context null
    /// without the header), else what is wrong.
    /// </summary>
    public static string? ClientContextOf(string? header, out string? context)
    {
        context = null;
        if (header is not { Length: > 0 })
        {
            return null;
        }
        try
        {
            context = Encoding.UTF8.GetString(Convert.FromBase64String(header));
        }
        catch (FormatException)
        {
            return "X-Amz-Client-Context must be base64 (of the client context's JSON)";
        }
        return IsJsonObject(context) ? null : "X-Amz-Client-Context must be base64 of a JSON object";
    }

    /// <summary>
    /// X-Amz-Cognito-Identity (runf serve's own header: Lambda takes the identity from the
    /// caller's credentials): a JSON object {"cognitoIdentityId", "cognitoIdentityPoolId"}, which the
    /// runtime gets as Lambda-Runtime-Cognito-Identity. Null when fine, else what is wrong.
    /// </summary>
    public static string? CognitoIdentityOf(string? header, out string? identity)
    {
        identity = null;
        if (header is not { Length: > 0 })
        {
            return null;
        }
        if (!IsJsonObject(header))
        {
            return "X-Amz-Cognito-Identity must be a JSON object such as {\"cognitoIdentityId\":\"...\",\"cognitoIdentityPoolId\":\"...\"}";
        }
        identity = header;
        return null;
    }

    /// <summary>The whole body (an event, a runtime's answer), or null past limit bytes (Lambda's 6 MB is max_response_size here).</summary>
    public static async Task<byte[]?> ReadWholeAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
