using RunF.Runtime.Errors;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// The "wait at the gate" finisher, for OCI `runf create`: the child performs every step up to
/// its WaitGate op, reports ready and waits there until `runf start` (another process) writes
/// into its exec fifo. Its plan is detached (no parent-death signal): runf create lets go of it
/// (Abandon) and exits, and the container lives on. `runf run` stays and waits for the exec
/// instead (WaitForExec). Disposing a container neither abandoned nor executed kills it.
/// </summary>
public sealed class HeldContainer : IContainer
{
    private readonly SpawnedChild _child;
    private ContainerProcess? _process;

    private HeldContainer(SpawnedChild child) => _child = child;

    public int Pid => _process?.Pid ?? _child.Pid;

    /// <summary>Clones the child, maps ids, runs beforeRelease (cgroup join, oom_score_adj) and waits until it waits at its gate.</summary>
    public static HeldContainer Hold(SetupPlan plan, string rootfs, Action<int>? beforeRelease)
    {
        if (!plan.Detached || !plan.Ops.Any(op => op is WaitGateOp))
        {
            throw new ArgumentException("a held container's plan is detached and has a WaitGate step", nameof(plan));
        }
        return new HeldContainer(SpawnedChild.SpawnUntilReady(plan, rootfs, beforeRelease));
    }

    /// <summary>
    /// The container's PID 1, with its pidfd and the terminal master a Terminal step sent; once
    /// taken, disposing no longer kills the container.
    /// </summary>
    public ContainerProcess Process => _process ??= _child.TakeProcess();

    /// <summary>
    /// runf create is done with it: the parent's ends close, and the launcher's memory, which the
    /// child (sharing it until its exec) still runs on, is deliberately never freed: runf exits.
    /// </summary>
    public void Abandon() => _child.Abandon();

    /// <summary>After `start`: blocks until the command has been executed, or throws the failed step (runf run).</summary>
    public void WaitForExec()
    {
        if (_child.NextRecord() is var (step, errno))
        {
            throw _child.Failed(step, errno);
        }
    }

    public void Dispose()
    {
        _child.Dispose();
        _process?.Dispose();
    }
}
