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
        using var native = new NativePlan(plan, timing);
        var spawnedAt = Stopwatch.GetTimestamp();
        var r = NativeLauncher.Spawn(native.Pointer, native.Length, plan.CloneFlags, out var child);
        if (r < 0)
        {
            throw LaunchErrors.CloneFailed(-r);
        }
        try
        {
            var releasedAt = ChildControl.MapAndRelease(ref child, hostUid, hostGid, beforeRelease);
            if (ChildControl.ReadRecord(child.ErrorFd) is var (step, errno))
            {
                throw ChildControl.StepFailed(ref child, ChildControl.OpOf(plan, step), errno, rootfs);
            }
            timings = timing ? ReadTimings(child.Handle, plan.Ops.Count, spawnedAt, releasedAt) : null;
            var process = new ContainerProcess(child.Pid, child.PidFd);
            child.PidFd = -1;
            return process;
        }
        catch
        {
            if (child.Pid > 0)
            {
                ChildControl.KillAndReap(child.PidFd, child.Pid);
            }
            throw;
        }
        finally
        {
            ChildControl.Release(ref child);
        }
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
}
