using System.Diagnostics;
using RunF.Interop;
using RunF.Runtime.Cgroups;
using RunF.Runtime.Host;
using RunF.Runtime.Identity;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;
using RunF.Runtime.State;

namespace RunF.Runtime.Create;

/// <summary>
/// The one way a container is made, for `runf COMMAND`, every `runf serve` container and what
/// comes after them: the request is resolved once (rootfs, user and id maps, limits, the seccomp filter), and
/// each container gets its spec and plan, its cgroup, the one spawn and its state record, then
/// one of two finishers: run until exec (Run) or wait at the await step (Prepare). The model is
/// youki's ContainerBuilderImpl::create, which its init and tenant builders share.
/// </summary>
public sealed class ContainerFactory
{
    private readonly RunRequest _request;
    private readonly ImageDefaults? _image;
    private readonly SeccompFilter? _seccomp;
    private readonly CgroupMode _cgroupMode;
    private readonly ContainerIdentity _identity;

    /// <summary>Resolves and checks the request; seccompCache null compiles the filter without a cache.</summary>
    public ContainerFactory(RunRequest request, ImageDefaults? image, string? seccompCache)
    {
        _request = request;
        _image = image;
        Rootfs = RootfsPath.Resolve(request.Rootfs);
        _identity = ContainerIdentity.Resolve(request.User, image?.User, Rootfs);
        Limits = CgroupRequest.Limits(request);
        _cgroupMode = CgroupRequest.Mode(request);
        _seccomp = SeccompFilters.Load(request.Seccomp, seccompCache, Capabilities.Resolve(request.CapAdd, request.CapDrop));
    }

    /// <summary>Absolute, symlink-free host path of the root filesystem.</summary>
    public string Rootfs { get; }

    public CgroupLimits Limits { get; }

    /// <summary>The spec of a container whose id (and default hostname) is id.</summary>
    public ContainerSpec Spec(string id) =>
        SpecFactory.Create(_request, Rootfs, id, _image, _seccomp, _identity, PosixEnvironment.Get,
            _request.Tty ? HostTerminal.Size() : default);

    public static SetupPlan Plan(ContainerSpec spec) => new PlanBuilder(new HostProbe()).Build(spec);

    /// <summary>The cgroup a container of this id would get, and its limit writes, for --dry-run.</summary>
    public IReadOnlyList<string> CgroupPreview(string id) => CgroupSetup.Preview(id, Limits, _cgroupMode, _request.CgroupParent);

    /// <summary>Creates the container of state's id and runs it until its command has been executed.</summary>
    public Created<ContainerProcess> Run(StateFile state, bool timing, out StepTimings? timings)
    {
        StepTimings? stepTimings = null;
        var created = Create(state, plan => plan, (plan, join) => ContainerLauncher.Start(plan, Rootfs, join, timing, out stepTimings));
        timings = stepTimings;
        return created;
    }

    /// <summary>Creates the container of state's id, set up and waiting at its await step for a command.</summary>
    public Created<PreparedContainer> Prepare(StateFile state) =>
        Create(state, PlanBuilder.AwaitingInvocation, (plan, join) => PreparedContainer.Prepare(plan, Rootfs, join));

    /// <summary>
    /// An OCI container (`runf create`, src/RunF.Runtime/Oci): its plan comes from a config.json,
    /// not a run request, and it is spawned the same way, set up and held at its gate until
    /// `runf start`. beforeRelease runs after the cgroup join (oom_score_adj); on failure the
    /// child is killed and the cgroup removed.
    /// </summary>
    public static HeldContainer Hold(SetupPlan plan, string rootfs, ICgroup? cgroup, Action<int>? beforeRelease)
    {
        try
        {
            return HeldContainer.Hold(plan, rootfs, pid =>
            {
                cgroup?.Join(pid);
                beforeRelease?.Invoke(pid);
            });
        }
        catch
        {
            cgroup?.Remove();
            throw;
        }
    }

    /// <summary>Spec, plan, cgroup, spawn and finisher, state record: on any failure the cgroup goes again.</summary>
    private Created<T> Create<T>(StateFile state, Func<SetupPlan, SetupPlan> shape, Func<SetupPlan, Action<int>?, T> finish)
        where T : class, IContainer
    {
        var spec = Spec(state.Id);
        var plan = shape(Plan(spec));
        var plannedAt = Stopwatch.GetTimestamp();
        var cgroup = CgroupSetup.Create(state.Id, Limits, _cgroupMode, _request.CgroupParent);
        T? container = null;
        try
        {
            container = finish(plan, cgroup is null ? null : cgroup.Join);
            state.Record(new ContainerState(state.Id, container.Pid, Rootfs, spec.Args, DateTimeOffset.UtcNow));
            return new Created<T>(spec, plan, cgroup, container, plannedAt);
        }
        catch
        {
            container?.Dispose();
            cgroup?.Remove();
            throw;
        }
    }
}

/// <summary>A container made by ContainerFactory: what defines it, its cgroup (the caller removes it), and the finisher's result.</summary>
public sealed record Created<T>(ContainerSpec Spec, SetupPlan Plan, ICgroup? Cgroup, T Container, long PlannedAt);
