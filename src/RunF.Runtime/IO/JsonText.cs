using System.Text.Json;

namespace RunF.Runtime.IO;

/// <summary>Small JSON documents written by hand with Utf8JsonWriter: no serializer metadata to start up.</summary>
public static class JsonText
{
    /// <summary>Readable output ("&gt;" in a command stays "&gt;", not "\u003E"), one line unless indented.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write, bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance, Indented = indented }))
        {
            write(json);
        }
        return buffer.ToArray();
    }

    public static void WriteStrings(this Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
