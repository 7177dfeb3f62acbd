namespace RunF.Runtime.Launch;

/// <summary>
/// When each setup step ended, from the launcher's CLOCK_MONOTONIC stamps (the same clock as
/// Stopwatch on Linux): Released is when the child got the go-ahead, Steps[i] when step i ended,
/// Executed when the parent saw the command start.
/// </summary>
public sealed record StepTimings(long Spawned, long Released, IReadOnlyList<long> Steps, long Executed);
