using System.Net;
using System.Text.Json;

namespace RunF.IntegrationTests.Serve;

/// <summary>What the OpenWhisk tests send and read: /init bodies, answers and their errors, the log's sentinel.</summary>
internal static class OpenWhiskRequests
{
    public const string Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

    /// <summary>An /init of code (text, or base64 when binary), with value.env.</summary>
    public static string InitBody(string code, bool binary = false, string env = "{}") =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["value"] = new Dictionary<string, object> { ["code"] = code, ["binary"] = binary, ["main"] = "main", ["env"] = JsonDocument.Parse(env).RootElement } });

    public static async Task<(HttpStatusCode Status, string Body)> PostAsync(ServeServer server, string path, string body)
    {
        using var response = await server.PostAsync(path, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static string ErrorOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
}
