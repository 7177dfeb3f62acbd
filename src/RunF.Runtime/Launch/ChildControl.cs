using RunF.Runtime.Errors;
using RunF.Runtime.Interop;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// The parent's half of the launcher protocol (native/launcher.h): id maps, the go-ahead byte,
/// the records on the error pipe, and putting down a child that will not be used.
/// </summary>
internal static unsafe class ChildControl
{
    /// <summary>
    /// Maps the executor's ids to root, and nothing else: an unprivileged parent may map only its
    /// own ids, and setgroups must be denied before gid_map.
    /// </summary>
    private static void WriteIdMaps(int pid, uint uid, uint gid)
    {
        foreach (var (file, text) in (ReadOnlySpan<(string, string)>)[("setgroups", "deny"), ("gid_map", $"0 {gid} 1\n"), ("uid_map", $"0 {uid} 1\n")])
        {
            var errno = Libc.WriteSmallFile($"/proc/{pid}/{file}", text);
            if (errno != 0)
            {
                throw LaunchErrors.IdMapFailed(file, errno);
            }
        }
    }

    /// <summary>
    /// Maps the ids, runs beforeRelease on the child's pid (the cgroup join) and lets the child
    /// run its plan; the sync pipe is closed. Returns when it was released, for the timing report.
    /// </summary>
    public static long MapAndRelease(ref NativeLauncher.Spawned child, uint uid, uint gid, Action<int>? beforeRelease)
    {
        WriteIdMaps(child.Pid, uid, gid);
        beforeRelease?.Invoke(child.Pid);
        var releasedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        byte go = 1;
        Libc.Write(child.SyncFd, &go, 1);
        Libc.Close(child.SyncFd);
        child.SyncFd = -1;
        return releasedAt;
    }

    /// <summary>A child that reported a failed step: reaped, and the step named in one clear line.</summary>
    public static SetupStepException StepFailed(ref NativeLauncher.Spawned child, SetupOp op, int errno, string rootfs)
    {
        Libc.WaitPid(child.Pid, out _, 0);
        child.Pid = -1;
        return LaunchErrors.StepFailed(op, errno, rootfs);
    }

    /// <summary>The step a (step, errno) record names; out-of-range steps (a read error) name the last.</summary>
    public static SetupOp OpOf(SetupPlan plan, uint step) => plan.Ops[(int)Math.Min(step, (uint)plan.Ops.Count - 1)];

    /// <summary>
    /// Blocks for the child's next record: null at EOF (it executed its command), otherwise the
    /// step and its errno (0 from an Await step: ready).
    /// </summary>
    public static (uint Step, int Errno)? ReadRecord(int errorFd)
    {
        var record = stackalloc byte[8];
        var got = 0;
        while (got < 8)
        {
            var n = Libc.Read(errorFd, record + got, 8 - got);
            if (n == 0)
            {
                return null;
            }
            if (n < 0 && Libc.LastErrno == Errno.EINTR)
            {
                continue;
            }
            if (n < 0)
            {
                return (uint.MaxValue, Libc.LastErrno);
            }
            got += (int)n;
        }
        return (*(uint*)record, *(int*)(record + 4));
    }

    /// <summary>SIGKILL through the pidfd, then reap: a child must never outlive its use.</summary>
    public static void KillAndReap(int pidFd, int pid)
    {
        Libc.PidfdSendSignal(pidFd, Signals.SIGKILL);
        Libc.WaitPid(pid, out _, 0);
    }

    /// <summary>Closes the parent's ends (sync, error, pidfd) and frees the launcher's handle; the pid stays.</summary>
    public static void Release(ref NativeLauncher.Spawned child)
    {
        CloseIfOpen(child.SyncFd);
        CloseIfOpen(child.ErrorFd);
        CloseIfOpen(child.PidFd);
        child.SyncFd = child.ErrorFd = child.PidFd = -1;
        NativeLauncher.Release(child.Handle);
        child.Handle = 0;
    }

    public static void CloseIfOpen(int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
