using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;

namespace RunF.Runtime.Run;

/// <summary>
/// The supervisor's side of runf -t, as docker run -t's client: runf's terminal in raw mode, so
/// that every key (Ctrl-C included) reaches the container's terminal as typed and its line
/// discipline echoes and signals; window size changes passed on; the relay between runf's stdio
/// and the container's terminal. Finish (or Dispose, on every other way out) puts runf's terminal
/// back as it was. The forwarded signals (SIGINT, SIGTERM...) do not end runf: they end the
/// container, and runf comes back here; the few others that would end runf restore the terminal
/// in their handler (native/signal_relay.c).
/// </summary>
internal sealed unsafe class TerminalSession : IDisposable
{
    /// <summary>How long the relay waits for the container's last output once it has exited (TerminalRelay.Finish).</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    private TerminalRelay? _relay;
    private Termios _saved;
    private bool _raw;

    /// <summary>-i with -t, as docker run -it: the input must be a terminal (-t alone gives the command one anyway).</summary>
    public static void CheckInteractive()
    {
        if (!Libc.IsATty(0))
        {
            throw new RunfException("the input device is not a TTY: -it needs runf's stdin to be a terminal (drop -i, and -t still gives the command one)");
        }
    }

    public static TerminalSession Start(SafeFd master, SignalForwarder forwarder)
    {
        var sizeSource = HostTerminal.SizeSource();
        if (sizeSource >= 0)
        {
            forwarder.ForwardResize(sizeSource, master);
        }
        var session = new TerminalSession();
        try
        {
            session.EnterRawMode(forwarder);
            session._relay = TerminalRelay.Start(master);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>TCSANOW, not TCSAFLUSH: what was typed ahead reaches the container.</summary>
    private void EnterRawMode(SignalForwarder forwarder)
    {
        Termios saved;
        if (Libc.TcGetAttr(0, &saved) < 0)
        {
            return; // stdin is not a terminal: nothing to change
        }
        var raw = saved;
        Libc.CfMakeRaw(&raw);
        if (Libc.TcSetAttr(0, Libc.TCSANOW, &raw) < 0)
        {
            throw new RunfException($"cannot put runf's terminal (stdin) into raw mode: {Errno.Describe(Errno.Last)}");
        }
        _saved = saved;
        _raw = true;
        forwarder.RestoreTerminalOnFatalSignals(0, saved);
    }

    /// <summary>Once the container has exited: its last output, then runf's terminal as it was.</summary>
    public void Finish()
    {
        _relay?.Finish(OutputGrace);
        Restore();
    }

    private void Restore()
    {
        if (_raw)
        {
            _raw = false;
            var saved = _saved;
            Libc.TcSetAttr(0, Libc.TCSANOW, &saved); // a terminal that hung up cannot take it, and needs nothing
        }
    }

    public void Dispose()
    {
        Restore();
        _relay?.Dispose();
    }
}
