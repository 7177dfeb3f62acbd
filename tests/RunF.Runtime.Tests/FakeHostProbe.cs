using RunF.Runtime.Host;

namespace RunF.Runtime.Tests;

/// <summary>A host whose paths are whatever the test says they are.</summary>
internal sealed class FakeHostProbe(Dictionary<string, PathKind>? paths = null, int landlockAbi = 7, bool seccompFiltered = false, ulong capabilities = 0,
    IReadOnlySet<string>? missingInRootfs = null) : IHostProbe
{
    private readonly Dictionary<string, PathKind> _paths = paths ?? new()
    {
        ["/proc/acpi"] = PathKind.Directory,
        ["/proc/keys"] = PathKind.File,
        ["/proc/timer_list"] = PathKind.File,
        ["/sys/firmware"] = PathKind.Directory,
        ["/proc/bus"] = PathKind.Directory,
        ["/proc/fs"] = PathKind.Directory,
        ["/proc/irq"] = PathKind.Directory,
        ["/proc/sys"] = PathKind.Directory,
        ["/proc/sysrq-trigger"] = PathKind.File,
        ["/etc/resolv.conf"] = PathKind.File,
        ["/etc/hosts"] = PathKind.File,
    };

    public PathKind KindOf(string hostPath) => _paths.GetValueOrDefault(hostPath, PathKind.Missing);

    /// <summary>Every path is in the rootfs (a directory) but those the test says are missing.</summary>
    public PathKind KindInRoot(string rootfs, string path) => missingInRootfs?.Contains(path) == true ? PathKind.Missing : PathKind.Directory;

    public int LastCapability => 40;

    public ulong FdLimit => 4096;

    public ulong HardLimit(int resource) => resource == Spec.Rlimits.NoFile ? 4096 : ulong.MaxValue;

    public int LandlockAbi => landlockAbi;

    public bool UnderSeccompFilter => seccompFiltered;

    public bool HasCapability(int cap) => (capabilities & (1UL << cap)) != 0;
}
