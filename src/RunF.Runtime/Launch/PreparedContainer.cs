using RunF.Runtime.Errors;
using RunF.Runtime.Interop;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// A container set up up to its Await step: namespaces, mounts, pivot, limits and filter are in
/// place and its PID 1 waits. Start hands it stdin, stdout, stderr and the command, and what is
/// left of the start is one execve. Used once; disposing an unstarted one kills it. Prepare must
/// run on a thread that outlives the container (the parent-death signal follows the thread).
/// </summary>
public sealed unsafe class PreparedContainer : IDisposable
{
    private readonly SetupPlan _plan;
    private readonly string _rootfs;
    private NativeLauncher.Spawned _child;
    private NativePlan? _nativePlan;

    private PreparedContainer(SetupPlan plan, string rootfs, NativeLauncher.Spawned child, NativePlan nativePlan)
    {
        _plan = plan;
        _rootfs = rootfs;
        _child = child;
        _nativePlan = nativePlan;
    }

    public int Pid => _child.Pid;

    /// <summary>Clones the child, maps ids, runs beforeRelease (the cgroup join), and waits until it is ready.</summary>
    public static PreparedContainer Prepare(SetupPlan plan, uint hostUid, uint hostGid, string rootfs, Action<int>? beforeRelease)
    {
        if (!plan.Ops.Any(op => op.Kind == OpKind.Await))
        {
            throw new ArgumentException("a prepared container's plan needs an Await step", nameof(plan));
        }
        var native = new NativePlan(plan);
        var r = NativeLauncher.Spawn(native.Pointer, native.Length, plan.CloneFlags, out var child);
        if (r < 0)
        {
            native.Dispose();
            throw LaunchErrors.CloneFailed(-r);
        }
        var prepared = new PreparedContainer(plan, rootfs, child, native);
        try
        {
            ChildControl.MapAndRelease(ref prepared._child, hostUid, hostGid, beforeRelease);
            switch (ChildControl.ReadRecord(child.ErrorFd))
            {
                case null:
                    throw new RunfException("the container exited before it was ready");
                case (var step, var errno) when errno != 0:
                    throw ChildControl.StepFailed(ref prepared._child, ChildControl.OpOf(plan, step), errno, rootfs);
            }
            return prepared;
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Execs the command with the given stdio (the caller keeps its descriptors and closes them
    /// after this returns). Null when the waiting container is gone (killed meanwhile): the
    /// caller prepares another. A failed exec throws as a `runf` run would.
    /// </summary>
    public ContainerProcess? Start(IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<string> candidates, int stdinFd, int stdoutFd, int stderrFd)
    {
        ObjectDisposedException.ThrowIf(_nativePlan is null, this);
        using var exec = new NativePlan(new SetupPlan(0, [Ops.Exec(args, env, candidates)]));
        try
        {
            var r = NativeLauncher.Dispatch(_child.Handle, exec.Pointer, exec.Length, stdinFd, stdoutFd, stderrFd);
            if (r is -Errno.EPIPE or -Errno.ECONNREFUSED or -Errno.ECONNRESET)
            {
                ChildControl.KillAndReap(_child.PidFd, _child.Pid);
                _child.Pid = -1;
                return null;
            }
            if (r < 0)
            {
                throw new RunfException($"cannot hand the command to the container: {Libc.Describe(-r)}");
            }
            if (ChildControl.ReadRecord(_child.ErrorFd) is var (_, errno))
            {
                throw ChildControl.StepFailed(ref _child, _plan.Ops[^1] with { Lists = [args, env, candidates] }, errno, _rootfs);
            }
            var process = new ContainerProcess(_child.Pid, _child.PidFd);
            _child.PidFd = -1;
            _child.Pid = -1;
            return process;
        }
        finally
        {
            Free();
        }
    }

    /// <summary>Kills and reaps a container that was never started; frees what the launcher holds.</summary>
    public void Dispose()
    {
        if (_child.Pid > 0)
        {
            ChildControl.KillAndReap(_child.PidFd, _child.Pid);
            _child.Pid = -1;
        }
        Free();
    }

    private void Free()
    {
        if (_nativePlan is null)
        {
            return;
        }
        ChildControl.Release(ref _child);
        _nativePlan.Dispose();
        _nativePlan = null;
    }
}
