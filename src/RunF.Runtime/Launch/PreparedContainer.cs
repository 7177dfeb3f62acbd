using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// The "wait at the await step" finisher, for `runf serve` (and OCI create): a container set up
/// up to its Await step: namespaces, mounts, pivot, limits and filter are in place and its PID 1
/// waits. Start hands it stdin, stdout, stderr and the command, and what is left of the start is
/// one execve. Used once; disposing an unstarted one kills it. Prepare must run on a thread that
/// outlives the container (the parent-death signal follows the thread).
/// </summary>
public sealed class PreparedContainer : IContainer
{
    private readonly SpawnedChild _child;
    private readonly ExecOp _exec;

    private PreparedContainer(SpawnedChild child, ExecOp exec)
    {
        _child = child;
        _exec = exec;
    }

    public int Pid => _child.Pid;

    /// <summary>Clones the child, maps ids, runs beforeRelease (the cgroup join), and waits until it is ready.</summary>
    public static PreparedContainer Prepare(SetupPlan plan, string rootfs, Action<int>? beforeRelease)
    {
        if (!plan.Ops.Any(op => op is AwaitOp) || plan.Ops[^1] is not ExecOp exec)
        {
            throw new ArgumentException("a prepared container's plan needs an Await step and ends with Exec", nameof(plan));
        }
        return new PreparedContainer(SpawnedChild.SpawnUntilReady(plan, rootfs, beforeRelease), exec);
    }

    /// <summary>
    /// Execs the command with the given descriptors as its first ones (the caller keeps its own
    /// and closes them after this returns). Null when the waiting container is gone (killed
    /// meanwhile): the caller prepares another. A failed exec throws as a `runf` run would.
    /// </summary>
    public ContainerProcess? Start(IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<string> candidates, ContainerFds fds)
    {
        var command = _exec with { Args = args, Env = env, Candidates = candidates };
        using var exec = new NativePlan(new SetupPlan(0, IdMaps.RootAs(0, 0), [command]));
        try
        {
            var r = _child.Dispatch(exec, fds);
            if (r is -Errno.EPIPE or -Errno.ECONNREFUSED or -Errno.ECONNRESET)
            {
                return null;
            }
            if (r < 0)
            {
                throw new RunfException($"cannot hand the command to the container: {Errno.Describe(-r)}");
            }
            if (_child.NextRecord() is var (_, errno))
            {
                throw _child.Failed(command, errno);
            }
            return _child.TakeProcess();
        }
        finally
        {
            _child.Dispose();
        }
    }

    /// <summary>Kills and reaps a container that was never started; frees what the launcher holds.</summary>
    public void Dispose() => _child.Dispose();
}
