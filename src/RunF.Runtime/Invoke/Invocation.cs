namespace RunF.Runtime.Invoke;

/// <summary>
/// One call of a function, as a front (HTTP, OpenWhisk) hands it to an invoker: the bytes for
/// stdin, where stdout goes, what happens to stderr, extra environment and a deadline.
/// </summary>
public sealed class Invocation
{
    /// <summary>KEY=VALUE pairs added to (and overriding) the function's own environment.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>Arguments appended to the function's command for this call (OpenWhisk passes the parameters as argv[1]).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Copied to the function's stdin; stdin is closed at its end.</summary>
    public required Stream Input { get; init; }

    /// <summary>The function's stdout is copied here as it arrives (not buffered by the invoker).</summary>
    public required Stream Output { get; init; }

    /// <summary>Each line the function writes to stderr (lines longer than MaxLineChars are split). Ignored with CombineOutput.</summary>
    public Action<string>? ErrorLine { get; init; }

    /// <summary>The longest stderr line ErrorLine gets; a longer one comes in pieces.</summary>
    public int MaxLineChars { get; init; } = LineSplitter.MaxChars;

    /// <summary>The function's stderr goes to Output too, interleaved as written.</summary>
    public bool CombineOutput { get; init; }

    /// <summary>The function is killed (SIGKILL to its container) when it runs longer; Timeout.InfiniteTimeSpan for no limit.</summary>
    public required TimeSpan Timeout { get; init; }
}

/// <summary>How an invocation ended.</summary>
/// <param name="ExitCode">As a shell reports it: 128+N when killed by signal N.</param>
/// <param name="TimedOut">Killed because Timeout passed.</param>
/// <param name="Prewarmed">Served by a container prepared before the call (false: a cold start).</param>
/// <param name="Duration">From the call to the end of the function's output.</param>
/// <param name="OutOfMemory">Killed by the OOM killer of its memory limit (its cgroup counted the kill).</param>
public sealed record InvocationResult(int ExitCode, int? Signal, bool TimedOut, bool Prewarmed, TimeSpan Duration, bool OutOfMemory = false);

/// <summary>
/// Runs invocations of one function. Setup failures (bad rootfs, command not found) throw a
/// RunfException with one clear line; cancellation kills the function. Thread-safe.
/// </summary>
public interface IFunctionInvoker : IAsyncDisposable
{
    /// <summary>Containers set up and waiting for an invocation now (0 for runners without them).</summary>
    int Prewarmed => 0;

    Task<InvocationResult> InvokeAsync(Invocation invocation, CancellationToken cancellationToken);
}
