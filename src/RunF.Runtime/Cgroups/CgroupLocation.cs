using RunF.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.Cgroups;

/// <summary>
/// Where container cgroups go on this host: under --cgroup-parent, else under runf's own cgroup
/// (from /proc/self/cgroup, read once), in the v2 hierarchy or in each v1 controller's.
/// </summary>
internal sealed class CgroupLocation
{
    public const string Root = "/sys/fs/cgroup";
    public static readonly string[] V1Controllers = ["memory", "pids", "cpu", "cpuacct"];

    /// <summary>
    /// v1 hierarchies used only where runf may write: the devices controller is defence in depth
    /// (a user namespace cannot mknod anyway) and is rarely delegated.
    /// </summary>
    public static readonly string[] OptionalV1Controllers = ["devices"];

    /// <summary>True on a pure cgroup v2 host; hybrid hosts count as v1 (their controllers are v1).</summary>
    public bool Unified { get; }

    /// <summary>The parent directory per controller (one entry, key "", on v2). Co-mounted controllers (cpu,cpuacct) appear once.</summary>
    public IReadOnlyDictionary<string, string> Parents { get; }

    public CgroupLocation(string? parent)
    {
        Unified = File.Exists(Path.Combine(Root, "cgroup.controllers"));
        var own = OwnPaths();
        var parents = new Dictionary<string, string>();
        var hierarchies = new HashSet<string>();
        foreach (var controller in Unified ? (string[])[""] : [.. V1Controllers, .. OptionalV1Controllers])
        {
            var hierarchy = Libc.RealPath(Path.Combine(Root, controller));
            if (hierarchy is null || !hierarchies.Add(hierarchy))
            {
                continue;
            }
            var dir = hierarchy.TrimEnd('/') + (parent ?? own.GetValueOrDefault(controller) ?? "/");
            if (!OptionalV1Controllers.Contains(controller) || Libc.Access(dir, Libc.W_OK) == 0)
            {
                parents[controller] = dir;
            }
        }
        Parents = parents;
    }

    /// <summary>/proc/self/cgroup as controller → path ("" for the v2 line "0::/path").</summary>
    private static Dictionary<string, string> OwnPaths()
    {
        var paths = new Dictionary<string, string>();
        foreach (var line in (SmallFiles.ReadText("/proc/self/cgroup") ?? "").Split('\n'))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            foreach (var controller in parts[0] == "0" && parts[1] == "" ? [""] : parts[1].Split(','))
            {
                paths.TryAdd(controller, parts[2]);
            }
        }
        return paths;
    }
}
