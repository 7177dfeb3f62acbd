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

    public FunctionTemplate(RunRequest request, ImageDefaults? image)
    {
        _request = request;
        _image = image;
        Rootfs = RootfsPath.Resolve(request.Rootfs);
        _limits = CgroupRequest.Limits(request);
        _cgroupMode = CgroupRequest.Mode(request);
        _seccomp = SeccompFilters.Load(request.Seccomp, SeccompFilters.CacheIn(_states.Path));
        Args = CreateSpec("runf").Args;
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
            var plan = new PlanBuilder(new HostProbe()).Build(spec);
            plan = plan with { Ops = [.. plan.Ops.SkipLast(1), Ops.Await(), plan.Ops[^1]] };
            cgroup = CgroupSetup.Create(state.Id, _limits, _cgroupMode, _request.CgroupParent);
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

    private ContainerSpec CreateSpec(string hostname) =>
        SpecFactory.Create(_request, Rootfs, hostname, _image, _seccomp, _uid, _gid, Environment.GetEnvironmentVariable);
}
