using RunF.Runtime.IO;

namespace RunF.Runtime.Run;

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

    public byte[] ToJson() => [.. JsonText.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteStrings("command", Command);
        json.WriteNumber("exit_code", ExitCode);
        json.WriteNumberOrNull("signal", Signal);
        json.WriteBoolean("timed_out", TimedOut);
        json.WriteBoolean("oom_killed", OomKilled);
        json.WriteNumber("wall_time_ms", Math.Round(WallTime.TotalMilliseconds, 3));
        json.WriteNumber("user_cpu_ms", Math.Round(UserCpu.TotalMilliseconds, 3));
        json.WriteNumber("system_cpu_ms", Math.Round(SystemCpu.TotalMilliseconds, 3));
        json.WriteNumberOrNull("peak_memory_bytes", PeakMemoryBytes);
        json.WriteNumberOrNull("pids_peak", PidsPeak);
        json.WriteEndObject();
    }), (byte)'\n'];
}
