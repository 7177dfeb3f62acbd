using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Interop;
using RunF.Runtime.IO;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// The one spawn, and the parent's half of the launcher protocol (native/launcher.h): the clone
/// into the plan's namespaces, the id maps, the go-ahead byte, the records on the error pipe, and
/// putting down a child that will not be used. Both finishers are built on it: ContainerLauncher
/// (run until exec) and PreparedContainer (wait at the await step). Spawn must run on a thread
/// that outlives the container: the child's parent-death signal follows the cloning thread.
/// </summary>
internal sealed unsafe class SpawnedChild : IDisposable
{
    private readonly SetupPlan _plan;
    private readonly string _rootfs;
    // The launcher hands its descriptors over as numbers: the pipes become SafeFds here; the
    // pidfd stays a number, as the signal relay (native/) reads it.
    private readonly SafeFd _sync;
    private readonly SafeFd _errors;
    private NativeLauncher.Spawned _child;
    private NativePlan? _native;

    private SpawnedChild(SetupPlan plan, string rootfs, NativeLauncher.Spawned child, NativePlan native)
    {
        _plan = plan;
        _rootfs = rootfs;
        _sync = SafeFd.Own(child.SyncFd);
        _errors = SafeFd.Own(child.ErrorFd);
        _child = child with { SyncFd = -1, ErrorFd = -1 };
        _native = native;
    }

    public int Pid => _child.Pid;

    /// <summary>When the child was let go, for the timing report.</summary>
    public long ReleasedAt { get; private set; }

    /// <summary>
    /// Clones the child, writes the plan's id maps, runs beforeRelease on its pid (the cgroup
    /// join) and lets it run its steps. The caller reads what it reports.
    /// </summary>
    /// <summary>
    /// Spawn, then the child's first report: ready (a container waiting at its Await or WaitGate
    /// step), or the step that failed, thrown.
    /// </summary>
    public static SpawnedChild SpawnUntilReady(SetupPlan plan, string rootfs, Action<int>? beforeRelease)
    {
        var child = Spawn(plan, rootfs, beforeRelease);
        try
        {
            switch (child.NextRecord())
            {
                case null:
                    throw new RunfException("the container exited before it was ready");
                case (var step, var errno) when errno != 0:
                    throw child.Failed(step, errno);
            }
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    public static SpawnedChild Spawn(SetupPlan plan, string rootfs, Action<int>? beforeRelease, bool timing = false)
    {
        var native = new NativePlan(plan, timing);
        var r = NativeLauncher.Spawn(native.Pointer, native.Length, plan.CloneFlags, out var spawned);
        if (r < 0)
        {
            native.Dispose();
            throw LaunchErrors.CloneFailed(-r, HostProbe.Shared);
        }
        var child = new SpawnedChild(plan, rootfs, spawned, native);
        try
        {
            if ((plan.CloneFlags & Namespaces.NewUser) != 0)
            {
                WriteIdMaps(spawned.Pid, plan.Ids);
            }
            beforeRelease?.Invoke(spawned.Pid);
            child.ReleasedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            byte go = 1;
            Libc.Write(child._sync, &go, 1);
            child._sync.Dispose();
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps the plan's ids, and nothing else: an unprivileged parent may map only its own ids,
    /// and setgroups must be denied before gid_map. Subordinate ids (a user other than root) take
    /// newuidmap and newgidmap.
    /// </summary>
    private static void WriteIdMaps(int pid, IdMaps ids)
    {
        if (ids.Tools is { } tools)
        {
            Identity.IdMapToolRunner.Write(pid, ids, tools);
            return;
        }
        foreach (var (file, text) in (ReadOnlySpan<(string, string)>)[("setgroups", "deny"), ("gid_map", ids.GidMap), ("uid_map", ids.UidMap)])
        {
            if (ids.AllowSetgroups && file == "setgroups")
            {
                continue;
            }
            var errno = SmallFiles.Write($"/proc/{pid}/{file}", text);
            if (errno != 0)
            {
                throw LaunchErrors.IdMapFailed(file, errno, HostProbe.Shared);
            }
        }
    }

    /// <summary>
    /// Blocks for the child's next record: null at EOF (it executed its command), otherwise the
    /// step and its errno (0 from an Await step: ready).
    /// </summary>
    public (SetupOp Step, int Errno)? NextRecord()
    {
        var record = stackalloc byte[8];
        var got = 0;
        while (got < 8)
        {
            var n = Libc.Read(_errors, record + got, 8 - got);
            if (n == 0)
            {
                return null;
            }
            if (n < 0 && Errno.Last == Errno.EINTR)
            {
                continue;
            }
            if (n < 0)
            {
                return (_plan.Ops[^1], Errno.Last);
            }
            got += (int)n;
        }
        // An out-of-range step (a corrupt record) names the last.
        return (_plan.Ops[(int)Math.Min(*(uint*)record, (uint)_plan.Ops.Count - 1)], *(int*)(record + 4));
    }

    /// <summary>A child that reported a failed step: reaped, and the step named in one clear line.</summary>
    public SetupStepException Failed(SetupOp step, int errno)
    {
        Libc.WaitPid(_child.Pid, out _, 0);
        _child.Pid = -1;
        return LaunchErrors.StepFailed(step, errno, _rootfs, HostProbe.Shared);
    }

    /// <summary>
    /// The started container: the pidfd, and the master a TERMINAL step sent before the exec, move
    /// to it, and this handle no longer kills the child.
    /// </summary>
    public ContainerProcess TakeProcess()
    {
        var process = new ContainerProcess(_child.Pid, _child.PidFd) { Terminal = HasTerminal() ? ReceiveTerminal() : null };
        _child.PidFd = -1;
        _child.Pid = -1;
        return process;
    }

    private bool HasTerminal()
    {
        foreach (var op in _plan.Ops)
        {
            if (op is TerminalOp)
            {
                return true;
            }
        }
        return false;
    }

    private SafeFd ReceiveTerminal()
    {
        var fd = NativeLauncher.ReceiveFd(_child.Handle);
        if (fd < 0)
        {
            throw new RunfException($"cannot receive the container's terminal: {Errno.Describe(-fd)}");
        }
        return SafeFd.Own(fd);
    }

    /// <summary>The per-step CLOCK_MONOTONIC stamps of a timed plan (op count + 1), or null.</summary>
    public ulong* StepTimes => NativeLauncher.StepTimes(_child.Handle);

    /// <summary>Hands a child waiting at its Await step its first descriptors (see ContainerFds) and command; 0 or -errno (EPIPE: it is gone).</summary>
    public int Dispatch(NativePlan exec, ContainerFds fds)
    {
        var numbers = stackalloc int[NativeLauncher.MaxDispatchedFds] { fds.Stdin, fds.Stdout, fds.Stderr, fds.Fd3 };
        return NativeLauncher.Dispatch(_child.Handle, exec.Pointer, exec.Length, numbers, fds.Fd3 < 0 ? 3 : 4);
    }

    /// <summary>
    /// Lets a detached child go on without this process (OCI create, which exits next): the
    /// parent's ends close, and the stack, arrays and plan the child still runs on until its exec
    /// stay allocated (Dispose no longer frees or kills anything).
    /// </summary>
    public void Abandon()
    {
        _sync.Dispose();
        _errors.Dispose();
        if (_child.PidFd >= 0)
        {
            Libc.Close(_child.PidFd);
            _child.PidFd = -1;
        }
        _child.Pid = -1;
        _native = null;
    }

    /// <summary>SIGKILL through the pidfd, then reap: a child must never outlive its use.</summary>
    public void KillAndReap()
    {
        if (_child.Pid > 0)
        {
            Libc.PidfdSendSignal(_child.PidFd, Signals.SIGKILL);
            Libc.WaitPid(_child.Pid, out _, 0);
            _child.Pid = -1;
        }
    }

    /// <summary>Kills a child that was not taken, closes the parent's ends and frees what the launcher holds.</summary>
    public void Dispose()
    {
        if (_native is null)
        {
            return;
        }
        KillAndReap();
        _sync.Dispose();
        _errors.Dispose();
        if (_child.PidFd >= 0)
        {
            Libc.Close(_child.PidFd);
            _child.PidFd = -1;
        }
        NativeLauncher.Release(_child.Handle);
        _child.Handle = 0;
        _native.Dispose();
        _native = null;
    }
}
