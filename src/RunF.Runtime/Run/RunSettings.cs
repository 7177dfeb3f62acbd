namespace RunF.Runtime.Run;

/// <summary>How runf itself behaves for one run, as opposed to what the container is.</summary>
public sealed record RunSettings
{
    /// <summary>Where `--dry-run` prints the setup plan instead of running it; null for a run.</summary>
    public TextWriter? PlanOutput { get; init; }

    /// <summary>
    /// Where `--debug-timing` prints where the start-up time went (parse and plan, clone, each
    /// step, exec); null when it is off. Writers, not flags: a plain run never initialises Console.
    /// </summary>
    public TextWriter? TimingOutput { get; init; }

    /// <summary>Stop the container after this long (SIGTERM, then SIGKILL after StopTimeout).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>After the SIGTERM of Timeout, or a SIGTERM, SIGINT or SIGHUP runf passed on, the time before SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Write a JSON report of the run to this file, or to this inherited descriptor.</summary>
    public string? ReportPath { get; init; }

    public int? ReportFd { get; init; }

    /// <summary>Stopwatch timestamp of runf's Main, for the timing report.</summary>
    public long StartedAt { get; init; }

    /// <summary>Stopwatch timestamp once the options were parsed.</summary>
    public long ParsedAt { get; init; }
}
