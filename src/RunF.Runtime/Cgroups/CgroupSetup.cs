using RunF.Runtime.Errors;
using RunF.Runtime.Interop;
using Serilog;

namespace RunF.Runtime.Cgroups;

/// <summary>
/// Chooses where a container's cgroup goes and creates it: under --cgroup-parent, else under the
/// caller's own cgroup (from /proc/self/cgroup), in the v2 hierarchy or, on v1 and hybrid hosts,
/// in each v1 controller's. Rootless callers often cannot write there: that is fine unless a
/// limit or --cgroups=required asks for a cgroup.
/// </summary>
public static class CgroupSetup
{
    public const string Root = "/sys/fs/cgroup";

    public static ICgroup? Create(string id, CgroupLimits limits, CgroupMode mode, string? parent)
    {
        if (mode == CgroupMode.Off)
        {
            return limits.Any ? throw new RunfException("--cgroups=off cannot enforce --memory, --pids-limit or --cpus: drop them or use --cgroups=auto") : null;
        }
        if (parent is not null && (!parent.StartsWith('/') || parent.Split('/').Contains("..")))
        {
            throw new RunfException($"invalid --cgroup-parent \"{parent}\": expected an absolute cgroup path such as /runf without ..");
        }
        var name = CgroupFiles.Prefix + id;
        if (File.Exists(Path.Combine(Root, "cgroup.controllers")))
        {
            var dir = Root + (parent ?? CgroupFiles.OwnPath("") ?? "/");
            return Writable(dir) ? CgroupV2.Create(dir, name, limits) : Unavailable(dir, limits, mode);
        }
        var dirs = new Dictionary<string, string>();
        foreach (var controller in CgroupV1.Controllers.Where(c => Directory.Exists(Path.Combine(Root, c))))
        {
            var dir = Path.Combine(Root, controller) + (parent ?? CgroupFiles.OwnPath(controller) ?? "/");
            if (!Writable(dir))
            {
                return Unavailable(dir, limits, mode);
            }
            dirs[controller] = Path.Combine(dir, name);
        }
        return dirs.Count > 0 ? CgroupV1.Create(dirs, limits) : Unavailable(Root, limits, mode);
    }

    private static bool Writable(string dir) => Libc.Access(dir, Libc.W_OK) == 0;

    private static ICgroup? Unavailable(string dir, CgroupLimits limits, CgroupMode mode)
    {
        var uid = Libc.GetEuid();
        if (limits.Any || mode == CgroupMode.Required)
        {
            throw new RunfException($"cannot create a cgroup in {dir}: it is not writable by uid {uid}: " +
                $"delegate one (chown -R {uid} a cgroup directory, or systemd Delegate=yes) and pass --cgroup-parent, or run without limits");
        }
        Log.Debug("running without a cgroup: {Dir} is not writable by uid {Uid}", dir, uid);
        return null;
    }
}
