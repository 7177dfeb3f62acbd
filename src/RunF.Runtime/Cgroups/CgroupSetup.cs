using RunF.Interop;
using RunF.Runtime.Errors;
using Serilog;
using Serilog.Events;

namespace RunF.Runtime.Cgroups;

/// <summary>
/// Creates a container's cgroup where CgroupLocation says. Rootless callers often cannot write
/// there: that is fine unless a limit or --cgroups=required asks for a cgroup.
/// </summary>
public static class CgroupSetup
{
    /// <summary>The cgroup runf-ID under parent, or with name (an OCI cgroupsPath's last part) that name.</summary>
    public static ICgroup? Create(string id, CgroupLimits limits, CgroupMode mode, string? parent, string? name = null)
    {
        if (mode == CgroupMode.Off)
        {
            return limits.Any ? throw new RunfException("--cgroups=off cannot enforce --memory, --pids-limit or --cpus: drop them or use --cgroups=auto") : null;
        }
        if (parent is not null && (parent + "/").StartsWith(CgroupLocation.Root + "/", StringComparison.Ordinal))
        {
            throw new RunfException($"invalid --cgroup-parent \"{parent}\": it takes the cgroup's path, not its directory in {CgroupLocation.Root}: " +
                $"pass {CgroupPath(parent)} (runf finds it in every hierarchy)");
        }
        if (parent is not null && (!parent.StartsWith('/') || parent.Split('/').Contains("..")))
        {
            throw new RunfException($"invalid --cgroup-parent \"{parent}\": expected an absolute cgroup path such as /runf without ..");
        }
        var location = new CgroupLocation(parent);
        if (location.Parents.Count == 0)
        {
            return Unavailable(CgroupLocation.Root, limits, mode);
        }
        var readOnly = Unwritable(location);
        if (readOnly.Count > 0)
        {
            return Unavailable(string.Join(", ", readOnly), limits, mode);
        }
        name ??= CgroupFiles.Prefix + id;
        return location.Unified
            ? CgroupV2.Create(location.Parents[""], name, limits)
            : CgroupV1.Create(location.Parents.ToDictionary(p => p.Key, p => Path.Combine(p.Value, name)), limits);
    }

    /// <summary>An existing cgroup name under parent, made by another runf (an OCI container's, for kill --all and delete).</summary>
    public static ICgroup Open(string? parent, string name)
    {
        var location = new CgroupLocation(parent);
        return location.Unified
            ? new CgroupV2(Path.Combine(location.Parents[""], name))
            : new CgroupV1(location.Parents.ToDictionary(p => p.Key, p => Path.Combine(p.Value, name)));
    }

    /// <summary>
    /// For --dry-run: where the container's cgroup would go and what would be written there, or
    /// why there would be none. Nothing is created.
    /// </summary>
    public static IReadOnlyList<string> Preview(string id, CgroupLimits limits, CgroupMode mode, string? parent)
    {
        if (mode == CgroupMode.Off)
        {
            return ["cgroup: none (--cgroups off)"];
        }
        var location = new CgroupLocation(parent);
        var name = CgroupFiles.Prefix + id;
        var readOnly = Unwritable(location);
        if (location.Parents.Count == 0 || readOnly.Count > 0)
        {
            return [$"cgroup: none: {(readOnly.Count > 0 ? string.Join(", ", readOnly) : CgroupLocation.Root)} not writable by uid {Libc.GetEuid()}" +
                (limits.Any || mode == CgroupMode.Required ? " (a run with these limits fails there)" : " (no limit asked: a run goes without)")];
        }
        if (location.Unified)
        {
            var dir = Path.Combine(location.Parents[""], name);
            return [$"cgroup v2: {dir}", .. CgroupV2.Writes(limits).Select(w => $"       {w.File} = {w.Value}")];
        }
        var dirs = location.Parents.ToDictionary(p => p.Key, p => Path.Combine(p.Value, name));
        return [$"cgroup v1: {string.Join(", ", dirs.Values.Distinct())}",
            .. CgroupV1.Writes(limits).Where(w => dirs.ContainsKey(w.Controller)).Select(w => $"       {dirs[w.Controller]}/{w.File} = {w.Value}")];
    }

    /// <summary>
    /// For runf doctor: the hierarchy's kind and the parent directories (under parent, as
    /// --cgroup-parent names it, else runf's own cgroup) that are missing or not writable.
    /// </summary>
    public static (string Version, IReadOnlyList<string> Parents, IReadOnlyList<string> Unusable) Describe(string? parent)
    {
        var location = new CgroupLocation(parent);
        var version = location.Unified ? "cgroup v2" : Directory.Exists(Path.Combine(CgroupLocation.Root, "unified")) ? "cgroup v1 (hybrid)" : "cgroup v1";
        var parents = location.Parents.Where(p => !CgroupLocation.OptionalV1Controllers.Contains(p.Key)).Select(p => p.Value).Distinct().ToList();
        return (version, parents, parents.Count == 0 ? [CgroupLocation.Root] : [.. parents.Where(d => !Libc.IsDirectory(d) || !Writable(d))]);
    }

    private static bool Writable(string dir) => Libc.Access(dir, Libc.W_OK) == 0;

    /// <summary>Every parent directory runf cannot make a cgroup in: a message names them all at once.</summary>
    private static List<string> Unwritable(CgroupLocation location) => [.. location.Parents.Values.Distinct().Where(dir => !Writable(dir))];

    /// <summary>/sys/fs/cgroup/memory/runf (v1) or /sys/fs/cgroup/runf (v2) as the cgroup path /runf.</summary>
    private static string CgroupPath(string directory)
    {
        var parts = directory[CgroupLocation.Root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var skip = parts.Length > 0 && (CgroupLocation.V1Controllers.Contains(parts[0]) || CgroupLocation.OptionalV1Controllers.Contains(parts[0]) || parts[0].Contains(',') || parts[0] == "unified") ? 1 : 0;
        return "/" + string.Join('/', parts.Skip(skip));
    }

    private static ICgroup? Unavailable(string dir, CgroupLimits limits, CgroupMode mode)
    {
        var uid = Libc.GetEuid();
        if (limits.Any || mode == CgroupMode.Required)
        {
            throw new RunfException($"cannot create a cgroup in {dir}: {(dir.Contains(", ") ? "they are" : "it is")} not writable by uid {uid}: " +
                $"delegate one (chown -R {uid} a cgroup directory, or systemd Delegate=yes) and pass --cgroup-parent, or run without limits");
        }
        if (Log.IsEnabled(LogEventLevel.Debug)) // a generic ILogger call costs a type-loader lookup
        {
            Log.Debug("running without a cgroup: {Dir} is not writable by uid {Uid}", dir, uid);
        }
        return null;
    }
}
