using System.Text.Encodings.Web;
using System.Text.Json;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// A /run request as the action gets it. Value: the "value" object or array as compact JSON
/// (argv[1] and stdin of a process action). Env: every other field as __OW_FIELD=value (a process
/// action's environment). Line: the whole request as one JSON line, newline included (a loop
/// action's stdin, as the Go proxy writes it).
/// </summary>
internal sealed record RunMessage(byte[] Value, IReadOnlyList<string> Env, byte[] Line)
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads a /run body as actionproxy.py does: an empty or malformed body (or JSON null) runs
    /// the action with {}. Null with a message and status when the body is JSON but not an
    /// object (404), its "value" neither an object nor an array (404), or a field cannot be an
    /// environment variable (400).
    /// </summary>
    public static RunMessage? Parse(ReadOnlyMemory<byte> body, out int status, out string? error)
    {
        (status, error) = (0, null);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            document = JsonDocument.Parse("null");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return new RunMessage("{}"u8.ToArray(), [], "{\"value\":{}}\n"u8.ToArray());
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                (status, error) = (404, ProxyWording.ArgumentNotDictionaryOrArray);
                return null;
            }
            var value = "{}"u8.ToArray();
            var env = new List<string>();
            foreach (var field in root.EnumerateObject())
            {
                if (field.Name == "value")
                {
                    if (field.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                    {
                        (status, error) = (404, ProxyWording.ArgumentNotDictionaryOrArray);
                        return null;
                    }
                    value = CompactJson(field.Value, newline: false);
                    continue;
                }
                var name = "__OW_" + field.Name.ToUpperInvariant();
                var text = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
                if (EnvironmentPairs.Problem(name, text) is { } problem)
                {
                    (status, error) = (400, $"field \"{field.Name}\" of the run request cannot be passed to the action: {problem}");
                    return null;
                }
                env.Add(name + "=" + text);
            }
            return new RunMessage(value, env, CompactJson(root, newline: true));
        }
    }

    /// <summary>element as JSON without whitespace: one line, whatever the client sent.</summary>
    private static byte[] CompactJson(JsonElement element, bool newline)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            element.WriteTo(writer);
        }
        if (newline)
        {
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }
}
