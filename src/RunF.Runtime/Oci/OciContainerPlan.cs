using RunF.Runtime.Cgroups;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Oci;

/// <summary>
/// A config.json translated: the setup plan the child performs, and what runf does around the
/// spawn (the cgroup, oom_score_adj, the umask the child inherits, the console socket, the hooks).
/// </summary>
public sealed record OciContainerPlan(
    string Rootfs,
    SetupPlan Plan,
    OciCgroupRequest? Cgroup,
    int? OomScoreAdj,
    uint Umask,
    bool Terminal,
    OciHooks? Hooks,
    IReadOnlyList<string> Warnings);

/// <summary>The cgroup at Path (a cgroupfs path such as /libpod_parent/libpod-ID) with its limits and device rules (v1).</summary>
public sealed record OciCgroupRequest(string Path, CgroupLimits Limits, IReadOnlyList<OciDeviceRule> DeviceRules)
{
    /// <summary>cgroup v1 memory controls beyond CgroupLimits: memory.soft_limit_in_bytes, memory.swappiness, memory.oom_control.</summary>
    public IReadOnlyList<(string File, string Value)> MemoryV1 { get; init; } = [];
}
