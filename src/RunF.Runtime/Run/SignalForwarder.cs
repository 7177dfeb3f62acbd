using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Interop;
using RunF.Runtime.Launch;
using static RunF.Runtime.Launch.Signals;

namespace RunF.Runtime.Run;

/// <summary>
/// Passes the signals a supervisor receives on to the container's PID 1, as docker run does,
/// instead of letting them terminate runf. A signal that arrives before the container exists is
/// held and delivered once it does. A second SIGINT (Ctrl-C) becomes SIGKILL, counted from the
/// first signal on, so that none slips past while the container is being attached. After the
/// first SIGTERM, SIGINT or SIGHUP passed on, the container has the stop timeout to end before it
/// is sent SIGKILL, as docker stop gives it. The handler is native/signal_relay.c: it signals the
/// pidfd itself, with no thread and no managed code.
/// </summary>
public sealed unsafe class SignalForwarder : IDisposable
{
    private static readonly int[] Forwarded = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2];

    private bool _installed;

    public SignalForwarder(TimeSpan stopTimeout)
    {
        fixed (int* signals = Forwarded)
        {
            Check(NativeLauncher.RelayInstall(signals, Forwarded.Length, escalate: SIGINT, Math.Max(1L, (long)stopTimeout.TotalMicroseconds)), "install signal handlers");
        }
        _installed = true;
    }

    /// <summary>The signal passed on whose stop timeout ran out, so that the container was killed; null if none.</summary>
    public int? KilledAfter => NativeLauncher.RelayStoppedBy() is > 0 and var signal ? signal : null;

    public void Attach(ContainerProcess target) =>
        Check(NativeLauncher.RelayAttach(target.PidFd), $"pass signals on to the container (pid {target.Pid})");

    /// <summary>
    /// -t: SIGWINCH sets the size of runf's terminal (hostFd) on the container's (its master), and
    /// the kernel passes the SIGWINCH on to the command. Also once now, for a resize since the plan.
    /// </summary>
    public void ForwardResize(int hostFd, SafeFd master) =>
        Check(NativeLauncher.RelayResize(hostFd, master), "pass window size changes on to the container's terminal");

    /// <summary>Stops ForwardResize and lets its copy of the master go: the terminal is being hung up.</summary>
    public void StopResize() => NativeLauncher.RelayResizeStop();

    /// <summary>
    /// -t, while runf's terminal (fd) is raw: a signal that would end runf itself (SIGALRM,
    /// SIGXCPU...: not the forwarded ones) first puts modes back on it.
    /// </summary>
    public void RestoreTerminalOnFatalSignals(int fd, Termios modes) =>
        Check(NativeLauncher.RelayRestoreTerminal(fd, &modes, sizeof(Termios)), "guard the terminal's modes against signals");

    public void Dispose()
    {
        if (_installed)
        {
            _installed = false;
            NativeLauncher.RelayRemove();
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new RunfException($"cannot {what}: {Errno.Describe(-result)}");
        }
    }
}
