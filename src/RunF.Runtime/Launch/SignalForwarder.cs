using System.Runtime.InteropServices;
using static RunF.Runtime.Launch.Signals;

namespace RunF.Runtime.Launch;

/// <summary>
/// Passes the signals a supervisor receives on to the container's PID 1, as docker run does,
/// instead of letting them terminate runf. A signal that arrives before the container exists is
/// held and delivered once it does. A second SIGINT (Ctrl-C) becomes SIGKILL: it is counted here,
/// from the first signal on, so that none slips past while the container is being attached.
/// </summary>
public sealed class SignalForwarder : IDisposable
{
    private static readonly (PosixSignal Posix, int Number)[] Forwarded =
    [
        (PosixSignal.SIGHUP, SIGHUP), (PosixSignal.SIGINT, SIGINT), (PosixSignal.SIGQUIT, SIGQUIT),
        (PosixSignal.SIGTERM, SIGTERM), ((PosixSignal)SIGUSR1, SIGUSR1), ((PosixSignal)SIGUSR2, SIGUSR2),
    ];

    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly object _lock = new();
    private readonly List<int> _pending = [];
    private ContainerProcess? _target;
    private int _interrupts;

    public SignalForwarder()
    {
        foreach (var (posix, number) in Forwarded)
        {
            _registrations.Add(PosixSignalRegistration.Create(posix, context =>
            {
                context.Cancel = true;
                Deliver(number);
            }));
        }
    }

    public void Attach(ContainerProcess target)
    {
        int[] pending;
        lock (_lock)
        {
            _target = target;
            pending = [.. _pending];
            _pending.Clear();
        }
        foreach (var signal in pending)
        {
            target.Signal(signal);
        }
    }

    private void Deliver(int signal)
    {
        ContainerProcess? target;
        lock (_lock)
        {
            if (signal == SIGINT && ++_interrupts >= 2)
            {
                signal = SIGKILL;
            }
            target = _target;
            if (target is null)
            {
                _pending.Add(signal);
            }
        }
        target?.Signal(signal);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
