using System.Diagnostics;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// The "run until exec" finisher, for `runf COMMAND`: spawns the plan's child and waits until it
/// has executed its command (the error pipe closes) or reports the first failing step as a
/// RunfException. Must be called on a thread that outlives the container.
/// </summary>
public static unsafe class ContainerLauncher
{
    public static ContainerProcess Start(SetupPlan plan, string rootfs, Action<int>? beforeRelease = null) =>
        Start(plan, rootfs, beforeRelease, timing: false, out _);

    public static ContainerProcess Start(SetupPlan plan, string rootfs, Action<int>? beforeRelease, bool timing, out StepTimings? timings)
    {
        var spawnedAt = Stopwatch.GetTimestamp();
        using var child = SpawnedChild.Spawn(plan, rootfs, beforeRelease, timing);
        if (child.NextRecord() is var (step, errno))
        {
            throw child.Failed(step, errno);
        }
        timings = timing ? ReadTimings(child, plan.Ops.Count, spawnedAt) : null;
        return child.TakeProcess(HasTerminal(plan) ? child.ReceiveTerminal() : null);
    }

    private static bool HasTerminal(SetupPlan plan)
    {
        foreach (var op in plan.Ops)
        {
            if (op is TerminalOp)
            {
                return true;
            }
        }
        return false;
    }

    private static StepTimings ReadTimings(SpawnedChild child, int opCount, long spawnedAt)
    {
        var executedAt = Stopwatch.GetTimestamp();
        var times = child.StepTimes;
        var steps = new long[opCount];
        for (var i = 0; i < opCount; i++)
        {
            steps[i] = times == null ? 0 : (long)times[i + 1];
        }
        return new StepTimings(spawnedAt, times == null ? child.ReleasedAt : (long)times[0], steps, executedAt);
    }
}
