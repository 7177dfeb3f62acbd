using RunF.Runtime.Launch;
using static RunF.Runtime.Launch.Signals;

namespace RunF.Runtime.Run;

/// <summary>
/// --timeout: SIGTERM to the container's PID 1 when the time is up, SIGKILL after the stop
/// timeout (a PID 1 without a handler ignores SIGTERM). Killing PID 1 ends its whole PID namespace.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly Timer _term;
    private readonly Timer _kill;
    private int _expired;

    public Deadline(ContainerProcess process, TimeSpan timeout, TimeSpan stopTimeout)
    {
        _kill = new Timer(_ => process.Signal(SIGKILL));
        _term = new Timer(_ =>
        {
            Volatile.Write(ref _expired, 1);
            process.Signal(SIGTERM);
            _kill.Change(stopTimeout, Timeout.InfiniteTimeSpan);
        }, null, timeout, Timeout.InfiniteTimeSpan);
    }

    public bool Expired => Volatile.Read(ref _expired) == 1;

    public void Dispose()
    {
        _term.Dispose();
        _kill.Dispose();
    }
}
