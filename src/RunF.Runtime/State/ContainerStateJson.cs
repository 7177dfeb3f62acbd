using System.Text.Json;
using RunF.Runtime.IO;

namespace RunF.Runtime.State;

/// <summary>A container's state record as JSON: written by its runf, read by `runf ps` and `runf kill`.</summary>
public static class ContainerStateJson
{
    public static void Write(Utf8JsonWriter json, ContainerState state)
    {
        json.WriteStartObject();
        json.WriteString("id", state.Id);
        json.WriteNumber("pid", state.Pid);
        json.WriteString("rootfs", state.Rootfs);
        json.WriteStrings("command", state.Command);
        json.WriteString("started", state.Started);
        json.WriteEndObject();
    }

    /// <summary>The record, or null for one that is not complete (its runf is still starting).</summary>
    public static ContainerState? Read(byte[] bytes)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            return new ContainerState(
                root.GetProperty("id").GetString()!,
                root.GetProperty("pid").GetInt32(),
                root.GetProperty("rootfs").GetString()!,
                [.. root.GetProperty("command").EnumerateArray().Select(a => a.GetString()!)],
                root.GetProperty("started").GetDateTimeOffset());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
