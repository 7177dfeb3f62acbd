using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Launch;

/// <summary>
/// How PID 1 ended: the exit code runf reports, the killing signal if any, and the CPU it and the
/// processes it reaped used. Not ru_maxrss: before its exec the child shared runf's memory.
/// </summary>
public sealed record ExitInfo(int ExitCode, int? Signal, TimeSpan UserCpu, TimeSpan SystemCpu)
{
    /// <summary>
    /// The container ended by this signal: PID 1 died of it, or runf-init reported the command's
    /// death by it as 128+N (an init cannot die of a signal sent inside its namespace).
    /// </summary>
    public bool EndedBy(int signal) => Signal == signal || (Signal is null && ExitCode == ExitCodes.KilledBy(signal));
}

/// <summary>A started container: its PID 1 as seen from the executor, and a pidfd to signal it.</summary>
public sealed class ContainerProcess(int pid, int pidFd) : IContainer
{
    private int _pidFd = pidFd;

    public int Pid { get; } = pid;

    /// <summary>With -t: the master of the container's terminal, which runf relays; closed with this.</summary>
    public SafeFd? Terminal { get; init; }

    /// <summary>A handle on a container started by another runf, or null when it is gone.</summary>
    public static ContainerProcess? Open(int pid)
    {
        var fd = Libc.PidfdOpen(pid);
        return fd < 0 ? null : new ContainerProcess(pid, fd);
    }

    /// <summary>The pidfd, or -1 once disposed.</summary>
    internal int PidFd => Volatile.Read(ref _pidFd);

    /// <summary>Sends a signal through the pidfd: never hits another process after a pid reuse.</summary>
    public bool Signal(int signal)
    {
        var fd = Volatile.Read(ref _pidFd);
        return fd >= 0 && Libc.PidfdSendSignal(fd, signal) == 0;
    }

    /// <summary>Waits for PID 1 to exit, with what it and the processes it reaped used.</summary>
    public unsafe ExitInfo WaitForExit()
    {
        int status;
        var usage = stackalloc long[18];
        while (Libc.Wait4(Pid, out status, 0, usage) < 0)
        {
            var errno = Errno.Last;
            if (errno != Errno.EINTR)
            {
                throw new RunfException($"waiting for the container (pid {Pid}): {Errno.Describe(errno)}");
            }
        }
        var signal = status & 0x7f;
        return new ExitInfo(ExitStatus(status), signal == 0 ? null : signal,
            TimeSpan.FromMicroseconds(usage[0] * 1_000_000 + usage[1]),
            TimeSpan.FromMicroseconds(usage[2] * 1_000_000 + usage[3]));
    }

    /// <summary>Decodes a wait status as a shell does.</summary>
    public static int ExitStatus(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : ExitCodes.KilledBy(signal);
    }

    public void Dispose()
    {
        Terminal?.Dispose();
        var fd = Interlocked.Exchange(ref _pidFd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
