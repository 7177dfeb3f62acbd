namespace RunF.Runtime.Launch;

/// <summary>How runf itself behaves for one run, as opposed to what the container is.</summary>
public sealed record RunSettings
{
    /// <summary>Print the setup plan instead of running it.</summary>
    public bool DryRun { get; init; }

    /// <summary>Print where the start-up time went (parse and plan, clone, each step, exec).</summary>
    public bool DebugTiming { get; init; }

    /// <summary>Stopwatch timestamp of runf's Main, for the timing report.</summary>
    public long StartedAt { get; init; }
}
