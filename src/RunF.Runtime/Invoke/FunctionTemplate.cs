using RunF.Interop;
using RunF.Runtime.Create;
using RunF.Runtime.Host;
using RunF.Runtime.IO;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;
using RunF.Runtime.State;

namespace RunF.Runtime.Invoke;

/// <summary>
/// One function's containers, made by ContainerFactory and each waiting at its await step, with
/// what an agent adds: the command checked once at start-up, the leftovers of a killed agent
/// swept, and a handle on each container's mount namespace.
/// </summary>
internal sealed class FunctionTemplate
{
    private readonly StateDirectory _states = StateDirectory.ForCurrentUser();
    private readonly ContainerFactory _factory;
    private int _cgroupsSwept;

    public FunctionTemplate(RunRequest request, ImageDefaults? image)
    {
        _factory = new ContainerFactory(request, image, SeccompFilters.CacheIn(_states.Path));
        var spec = _factory.Spec("runf");
        Args = spec.Args;
        CheckCommand(spec);
        // What an agent that was SIGKILLed left behind: the records of its containers (their
        // cgroups go with the first cgroup made here).
        _states.SweepStale();
    }

    public string Rootfs => _factory.Rootfs;

    /// <summary>The command, the same in every container.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>Sets up one container; must run on a thread that outlives it (see PreparedContainer).</summary>
    public WarmContainer Prepare()
    {
        var state = _states.ReserveNew();
        try
        {
            var created = _factory.Prepare(state);
            if (created.Cgroup is { } cgroup && Interlocked.Exchange(ref _cgroupsSwept, 1) == 0)
            {
                cgroup.SweepSiblings(_states.IsLive);
            }
            // Best effort: without the handle the mounts go when PID 1 exits, as under runf.
            var mountNamespace = Libc.Open($"/proc/{created.Container.Pid}/ns/mnt", Libc.O_RDONLY | Libc.O_CLOEXEC);
            return new WarmContainer(state, created.Cgroup, created.Container, created.Spec.Env, mountNamespace);
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A command the rootfs lacks fails here, at the agent's start, as `runf` would fail it (exit
    /// 127), and not as a 500 on every request. Looked up as execve will: PATH, beneath the root,
    /// or in what a --bind mounts there (an OpenWhisk action's code is bound at /action).
    /// </summary>
    private void CheckCommand(ContainerSpec spec)
    {
        const uint S_IFMT = 0xF000, S_IFREG = 0x8000, AnyExecute = 0x49;
        var candidates = PlanBuilder.ExecCandidates(spec.Args[0], spec.Env);
        // As execvp: the first candidate that exists decides.
        var found = candidates.Select(c => ModeInContainer(spec, c)).FirstOrDefault(mode => mode is not null);
        if (found is not { } mode || (mode & S_IFMT) != S_IFREG || (mode & AnyExecute) == 0)
        {
            var errno = found is null ? Errno.ENOENT : Errno.EACCES;
            throw LaunchErrors.StepFailed(Ops.Exec(spec.Args, spec.Env, candidates), errno, Rootfs, HostProbe.Shared);
        }
    }

    /// <summary>
    /// The st_mode of path as the container will see it: beneath the source of the last mount
    /// that covers it (mounts stack in order; a tmpfs starts empty), else beneath the rootfs.
    /// </summary>
    private uint? ModeInContainer(ContainerSpec spec, string path)
    {
        for (var i = spec.Mounts.Count - 1; i >= 0; i--)
        {
            var destination = spec.Mounts[i].Destination.TrimEnd('/');
            var rest = path == destination ? "/" : path.StartsWith(destination + "/", StringComparison.Ordinal) ? path[destination.Length..] : null;
            switch (spec.Mounts[i])
            {
                case BindMountSpec bind when rest is not null:
                    return bind.SourceIsDirectory ? RootfsFiles.ModeInRoot(bind.Source, rest) : rest == "/" ? Libc.Stat(bind.Source)?.Mode : null;
                case TmpfsMountSpec when rest is not null:
                    return null;
            }
        }
        return RootfsFiles.ModeInRoot(Rootfs, path);
    }
}
