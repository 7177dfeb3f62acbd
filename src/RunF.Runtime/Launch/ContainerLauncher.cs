using System.Diagnostics;
using System.Runtime.InteropServices;
using RunF.Runtime.Interop;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// Starts a container from a plan: clones the launcher's child into the new namespaces, maps the
/// executor's uid and gid to root inside, lets the child run its steps, and reports the first
/// failing step as a RunfException. Must be called on a thread that outlives the container: the
/// child's parent-death signal fires when the cloning thread exits. beforeRelease gets the
/// child's pid after the id maps are written and before it runs a step (the cgroup join).
/// </summary>
public static unsafe class ContainerLauncher
{
    public static ContainerProcess Start(SetupPlan plan, uint hostUid, uint hostGid, string rootfs, Action<int>? beforeRelease = null) =>
        Start(plan, hostUid, hostGid, rootfs, beforeRelease, timing: false, out _);

    public static ContainerProcess Start(SetupPlan plan, uint hostUid, uint hostGid, string rootfs, Action<int>? beforeRelease, bool timing, out StepTimings? timings)
    {
        var bytes = PlanSerializer.Serialize(plan, timing);
        var native = (byte*)NativeMemory.AlignedAlloc((nuint)bytes.Length, 8);
        bytes.CopyTo(new Span<byte>(native, bytes.Length));
        var spawnedAt = Stopwatch.GetTimestamp();
        var r = NativeLauncher.Spawn(native, (uint)bytes.Length, plan.CloneFlags, out var child);
        if (r < 0)
        {
            NativeMemory.AlignedFree(native);
            throw LaunchErrors.CloneFailed(-r);
        }
        var releasedAt = 0L;
        var reaped = false;
        try
        {
            WriteIdMaps(child.Pid, hostUid, hostGid);
            beforeRelease?.Invoke(child.Pid);
            releasedAt = Stopwatch.GetTimestamp();
            Release(child.SyncFd);
            child.SyncFd = -1;
            if (ReadStepError(child.ErrorFd) is var (step, errno))
            {
                reaped = Libc.WaitPid(child.Pid, out _, 0) == child.Pid;
                throw LaunchErrors.StepFailed(plan.Ops[(int)Math.Min(step, (uint)plan.Ops.Count - 1)], errno, rootfs);
            }
            timings = timing ? ReadTimings(child.Handle, plan.Ops.Count, spawnedAt, releasedAt) : null;
            var process = new ContainerProcess(child.Pid, child.PidFd);
            child.PidFd = -1;
            return process;
        }
        catch
        {
            if (!reaped)
            {
                Libc.PidfdSendSignal(child.PidFd, Signals.SIGKILL);
                Libc.WaitPid(child.Pid, out _, 0);
            }
            throw;
        }
        finally
        {
            CloseIfOpen(child.SyncFd);
            CloseIfOpen(child.ErrorFd);
            CloseIfOpen(child.PidFd);
            NativeLauncher.Release(child.Handle);
            NativeMemory.AlignedFree(native);
        }
    }

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

    private static void Release(int syncFd)
    {
        byte go = 1;
        Libc.Write(syncFd, &go, 1);
        Libc.Close(syncFd);
    }

    /// <summary>Blocks until the child executes its command (EOF) or reports a failed step.</summary>
    private static (uint Step, int Errno)? ReadStepError(int errorFd)
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

    private static StepTimings ReadTimings(nint handle, int opCount, long spawnedAt, long releasedAt)
    {
        var executedAt = Stopwatch.GetTimestamp();
        var times = NativeLauncher.StepTimes(handle);
        var steps = new long[opCount];
        for (var i = 0; i < opCount; i++)
        {
            steps[i] = times == null ? 0 : (long)times[i + 1];
        }
        return new StepTimings(spawnedAt, times == null ? releasedAt : (long)times[0], steps, executedAt);
    }

    private static void CloseIfOpen(int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
