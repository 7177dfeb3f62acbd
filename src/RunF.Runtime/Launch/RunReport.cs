using System.Text.Json;

namespace RunF.Runtime.Launch;

/// <summary>
/// What one run used and how it ended (--report FILE / --report-fd N): what FaaS platforms bill
/// and alert on. Values the kernel did not give are null, never guessed.
/// </summary>
public sealed record RunReport
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public required int ExitCode { get; init; }
    public int? Signal { get; init; }
    public bool TimedOut { get; init; }
    public bool OomKilled { get; init; }
    public required TimeSpan WallTime { get; init; }
    public required TimeSpan UserCpu { get; init; }
    public required TimeSpan SystemCpu { get; init; }
    public long? PeakMemoryBytes { get; init; }
    public long? PidsPeak { get; init; }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            json.WriteStartArray("command");
            foreach (var arg in Command)
            {
                json.WriteStringValue(arg);
            }
            json.WriteEndArray();
            json.WriteNumber("exit_code", ExitCode);
            WriteOrNull(json, "signal", Signal);
            json.WriteBoolean("timed_out", TimedOut);
            json.WriteBoolean("oom_killed", OomKilled);
            json.WriteNumber("wall_time_ms", Math.Round(WallTime.TotalMilliseconds, 3));
            json.WriteNumber("user_cpu_ms", Math.Round(UserCpu.TotalMilliseconds, 3));
            json.WriteNumber("system_cpu_ms", Math.Round(SystemCpu.TotalMilliseconds, 3));
            WriteOrNull(json, "peak_memory_bytes", PeakMemoryBytes);
            WriteOrNull(json, "pids_peak", PidsPeak);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, long? value)
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
