using RunF.Runtime.Errors;
using RunF.Runtime.Interop;

namespace RunF.Runtime.Launch;

/// <summary>A started container: its PID 1 as seen from the executor, and a pidfd to signal it.</summary>
public sealed class ContainerProcess(int pid, int pidFd) : IDisposable
{
    private int _pidFd = pidFd;

    public int Pid { get; } = pid;

    /// <summary>Sends a signal through the pidfd: never hits another process after a pid reuse.</summary>
    public bool Signal(int signal)
    {
        var fd = Volatile.Read(ref _pidFd);
        return fd >= 0 && Libc.PidfdSendSignal(fd, signal) == 0;
    }

    /// <summary>Waits for PID 1 to exit: its exit code, or 128+N when signal N killed it.</summary>
    public int WaitForExit()
    {
        int status;
        while (Libc.WaitPid(Pid, out status, 0) < 0)
        {
            var errno = Libc.LastErrno;
            if (errno != Libc.EINTR)
            {
                throw new RunfException($"waiting for the container (pid {Pid}): {Libc.Describe(errno)}");
            }
        }
        return ExitStatus(status);
    }

    /// <summary>Decodes a wait status as a shell does.</summary>
    public static int ExitStatus(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : ExitCodes.KilledBy(signal);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _pidFd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
