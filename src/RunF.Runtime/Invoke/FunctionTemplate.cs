using RunF.Runtime.Cgroups;
using RunF.Runtime.Host;
using RunF.Runtime.Interop;
using RunF.Runtime.Plan;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;
using RunF.Runtime.State;

namespace RunF.Runtime.Invoke;

/// <summary>
/// What every container of one function shares, resolved once (rootfs, ids, limits, the seccomp
/// filter), and how to prepare one more: a container of its own, set up and waiting before exec.
/// </summary>
internal sealed class FunctionTemplate
{
    private readonly RunRequest _request;
    private readonly ImageDefaults? _image;
    private readonly SeccompFilter? _seccomp;
    private readonly StateDirectory _states = StateDirectory.ForCurrentUser();
    private readonly CgroupLimits _limits;
    private readonly CgroupMode _cgroupMode;
    private readonly uint _uid = Libc.GetEuid(), _gid = Libc.GetEgid();
    private int _cgroupsSwept;

    public FunctionTemplate(RunRequest request, ImageDefaults? image)
    {
        _request = request;
        _image = image;
        Rootfs = RootfsPath.Resolve(request.Rootfs);
        _limits = CgroupRequest.Limits(request);
        _cgroupMode = CgroupRequest.Mode(request);
        _seccomp = SeccompFilters.Load(request.Seccomp, SeccompFilters.CacheIn(_states.Path));
        var spec = CreateSpec("runf");
        Args = spec.Args;
        CheckCommand(spec);
        // What an agent that was SIGKILLed left behind: the records of its containers (their
        // cgroups go with the first cgroup made here).
        _states.SweepStale();
    }

    public string Rootfs { get; }

    /// <summary>The command, the same in every container.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>Sets up one container; must run on a thread that outlives it (see PreparedContainer).</summary>
    public WarmContainer Prepare()
    {
        var state = _states.ReserveNew();
        ICgroup? cgroup = null;
        try
        {
            var spec = CreateSpec(state.Id);
            var plan = PlanBuilder.AwaitingInvocation(new PlanBuilder(new HostProbe()).Build(spec));
            cgroup = CgroupSetup.Create(state.Id, _limits, _cgroupMode, _request.CgroupParent);
            if (cgroup is not null && Interlocked.Exchange(ref _cgroupsSwept, 1) == 0)
            {
                cgroup.SweepSiblings(_states.IsLive);
            }
            var container = Launch.PreparedContainer.Prepare(plan, _uid, _gid, Rootfs, cgroup is null ? null : cgroup.Join);
            state.Record(new ContainerState(state.Id, container.Pid, Rootfs, spec.Args, DateTimeOffset.UtcNow));
            // Best effort: without the handle the mounts go when PID 1 exits, as under runf.
            var mountNamespace = Libc.Open($"/proc/{container.Pid}/ns/mnt", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            return new WarmContainer(state, cgroup, container, spec.Env, mountNamespace);
        }
        catch
        {
            cgroup?.Remove();
            state.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A command the rootfs lacks fails here, at the agent's start, as `runf` would fail it (exit
    /// 127), and not as a 500 on every request. Looked up as execve will: PATH, beneath the root.
    /// </summary>
    private void CheckCommand(ContainerSpec spec)
    {
        const uint S_IFMT = 0xF000, S_IFREG = 0x8000, AnyExecute = 0x49;
        var candidates = PlanBuilder.ExecCandidates(spec.Args[0], spec.Env);
        // As execvp: the first candidate that exists decides.
        var found = candidates.Select(c => Libc.StatModeInRoot(Rootfs, c)).FirstOrDefault(mode => mode is not null);
        if (found is not { } mode || (mode & S_IFMT) != S_IFREG || (mode & AnyExecute) == 0)
        {
            var errno = found is null ? Interop.Errno.ENOENT : Interop.Errno.EACCES;
            throw Launch.LaunchErrors.StepFailed(Ops.Exec(spec.Args, spec.Env, candidates), errno, Rootfs);
        }
    }

    private ContainerSpec CreateSpec(string hostname) =>
        SpecFactory.Create(_request, Rootfs, hostname, _image, _seccomp, _uid, _gid, Environment.GetEnvironmentVariable);
}
