using System.Text.Json;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// The "value" of an /init request: the action's code (text, or base64 when Binary), "main"
/// (kept for the log: a native action's entry point is its exec), and "env", as KEY=VALUE pairs
/// for the action's environment.
/// </summary>
internal sealed record InitRequest(string? Code, bool Binary, string? Main, IReadOnlyList<string> Env)
{
    private static readonly InitRequest None = new(null, false, null, []);

    /// <summary>
    /// Reads an /init body as actionproxy.py does: an empty or malformed body is an init without
    /// code. Null with notAnObject set when the body or its "value" is JSON of another kind (the
    /// proxy's 404); fields of the wrong kind throw ActionCodeException.
    /// </summary>
    public static InitRequest? Parse(ReadOnlyMemory<byte> body, out string? notAnObject)
    {
        notAnObject = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return None;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return None;
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                notAnObject = "the /init request is not a JSON object";
                return null;
            }
            if (!root.TryGetProperty("value", out var value))
            {
                return None;
            }
            if (value.ValueKind != JsonValueKind.Object)
            {
                notAnObject = "the /init request's \"value\" is not a JSON object";
                return null;
            }
            return new InitRequest(
                StringField(value, "code"),
                value.TryGetProperty("binary", out var binary) && binary.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False or JsonValueKind.Null => false,
                    _ => throw new ActionCodeException("value.binary of the /init request is not true or false"),
                },
                StringField(value, "main"),
                EnvOf(value));
        }
    }

    private static string? StringField(JsonElement value, string name) =>
        !value.TryGetProperty(name, out var field) || field.ValueKind == JsonValueKind.Null ? null
        : field.ValueKind == JsonValueKind.String ? field.GetString()
        : throw new ActionCodeException($"value.{name} of the /init request is not a string");

    /// <summary>value.env as the Go proxy takes it: strings as they are, other values as their JSON text.</summary>
    private static List<string> EnvOf(JsonElement value)
    {
        var env = new List<string>();
        if (!value.TryGetProperty("env", out var fields) || fields.ValueKind == JsonValueKind.Null)
        {
            return env;
        }
        if (fields.ValueKind != JsonValueKind.Object)
        {
            throw new ActionCodeException("value.env of the /init request is not an object of variables");
        }
        foreach (var field in fields.EnumerateObject())
        {
            var text = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
            if (EnvironmentPairs.Problem(field.Name, text) is { } problem)
            {
                throw new ActionCodeException($"value.env of the /init request: {problem}");
            }
            env.Add(field.Name + "=" + text);
        }
        return env;
    }
}
