using RunF.Runtime.Cgroups;
using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Oci;

/// <summary>
/// linux.cgroupsPath and linux.resources: the cgroup at that path (under runf's own cgroup when
/// relative) in every hierarchy, with the memory, pids and cpu limits, and on cgroup v1 the
/// device rules in order. A caller that cannot write there goes without one unless a limit asks
/// for it (as rootless runc).
/// </summary>
public static class OciCgroups
{
    public static OciCgroupRequest? Request(OciLinux? linux, string id)
    {
        var limits = Limits(linux?.Resources);
        var rules = linux?.Resources?.Devices ?? [];
        var path = linux?.CgroupsPath;
        if (string.IsNullOrEmpty(path))
        {
            if (!limits.Any && MemoryV1(linux?.Resources?.Memory).Count == 0)
            {
                return null;
            }
            path = "/runf/" + id;
        }
        if (path.Contains(':'))
        {
            throw OciPlanBuilder.Invalid("linux.cgroupsPath", $"\"{path}\" is a systemd unit (slice:prefix:name): runf manages cgroupfs paths only (the engine's cgroup manager must be cgroupfs)");
        }
        if (path.Split('/').Contains(".."))
        {
            throw OciPlanBuilder.Invalid("linux.cgroupsPath", $"\"{path}\" contains ..");
        }
        return new OciCgroupRequest(path, limits, rules) { MemoryV1 = MemoryV1(linux?.Resources?.Memory) };
    }

    private static List<(string, string)> MemoryV1(OciMemory? memory)
    {
        var writes = new List<(string, string)>();
        if (memory?.Reservation is > 0 and var reservation)
        {
            writes.Add(("memory.soft_limit_in_bytes", reservation.ToString()));
        }
        if (memory?.Swappiness is { } swappiness and <= 100)
        {
            writes.Add(("memory.swappiness", swappiness.ToString()));
        }
        else if (memory?.Swappiness is { } bad)
        {
            throw OciPlanBuilder.Invalid("linux.resources.memory.swappiness", $"{bad} is above 100");
        }
        if (memory?.DisableOOMKiller == true)
        {
            writes.Add(("memory.oom_control", "1"));
        }
        return writes;
    }

    private static CgroupLimits Limits(OciResources? resources)
    {
        var memory = resources?.Memory;
        var cpu = resources?.Cpu;
        if (cpu?.Quota is > 0 && cpu.Period is { } period && period != (ulong)CgroupLimits.CfsPeriodMicros)
        {
            throw OciPlanBuilder.Invalid("linux.resources.cpu.period", $"{period} is not supported by runf: it writes a period of {CgroupLimits.CfsPeriodMicros} µs (give the quota for that period)");
        }
        return new CgroupLimits
        {
            MemoryBytes = memory?.Limit is > 0 and var m ? m : null,
            MemorySwapBytes = memory?.Swap is { } s and (> 0 or -1) ? s : null,
            PidsLimit = resources?.Pids?.Limit is > 0 and var p ? p : null,
            Cpus = cpu?.Quota is > 0 and var q ? (double)q / CgroupLimits.CfsPeriodMicros : null,
            CpuWeight = cpu?.Shares is > 0 and var shares ? CgroupLimits.WeightFromShares((long)shares) : null,
        };
    }

    /// <summary>Creates the cgroup (null: none, allowed), and writes the device rules where the devices hierarchy is runf's to write.</summary>
    public static ICgroup? Create(OciCgroupRequest? request, string id)
    {
        if (request is null)
        {
            return null;
        }
        var (parent, name) = Split(request.Path);
        MakeParents(parent);
        var cgroup = CgroupSetup.Create(id, request.Limits, request.MemoryV1.Count > 0 ? CgroupMode.Required : CgroupMode.Auto, parent, name);
        if (cgroup is not null && (request.DeviceRules.Count > 0 || request.MemoryV1.Count > 0))
        {
            try
            {
                WriteDeviceRules(parent, name, request.DeviceRules);
                WriteMemoryV1(parent, name, request.MemoryV1);
            }
            catch
            {
                cgroup.Remove();
                throw;
            }
        }
        return cgroup;
    }

    /// <summary>A cgroupsPath's parents are made as runc makes them (/libpod_parent); where runf may not, CgroupSetup says so.</summary>
    private static void MakeParents(string? parent)
    {
        foreach (var dir in new CgroupLocation(parent).Parents.Values.Distinct())
        {
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not writable: no cgroup unless a limit asks for one.
            }
        }
    }

    public static ICgroup Open(string path)
    {
        var (parent, name) = Split(path);
        return CgroupSetup.Open(parent, name);
    }

    /// <summary>The pids in the container's cgroup (its memory hierarchy's on v1), for kill --all and ps.</summary>
    public static IReadOnlyList<int> Pids(string path)
    {
        var cgroup = Open(path);
        var text = SmallFiles.ReadText(System.IO.Path.Combine(cgroup.Path, "cgroup.procs")) ?? "";
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    /// <summary>An absolute path's parent and last part; a relative path is the name under runf's own cgroup.</summary>
    private static (string? Parent, string Name) Split(string path)
    {
        if (!path.StartsWith('/'))
        {
            return (null, path.Trim('/'));
        }
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return (slash == 0 ? "/" : trimmed[..slash], trimmed[(slash + 1)..]);
    }

    private static void WriteMemoryV1(string? parent, string name, IReadOnlyList<(string File, string Value)> writes)
    {
        if (writes.Count == 0)
        {
            return;
        }
        var location = new CgroupLocation(parent);
        if (location.Unified || !location.Parents.TryGetValue("memory", out var memory))
        {
            throw OciPlanBuilder.Invalid("linux.resources.memory", "reservation, swappiness and disableOOMKiller are supported by runf on cgroup v1 only");
        }
        foreach (var (file, value) in writes)
        {
            CgroupFiles.Write(System.IO.Path.Combine(memory, name), file, value);
        }
    }

    private static void WriteDeviceRules(string? parent, string name, IReadOnlyList<OciDeviceRule> rules)
    {
        if (rules.Count == 0)
        {
            return;
        }
        var location = new CgroupLocation(parent);
        if (location.Unified)
        {
            if (rules.Any(r => r.Allow))
            {
                throw OciPlanBuilder.Invalid("linux.resources.devices", "is not supported by runf on cgroup v2 (it takes an eBPF program): remove the rules");
            }
            return;
        }
        if (!location.Parents.TryGetValue("devices", out var devicesParent))
        {
            return; // not runf's to write (CgroupLocation leaves an unwritable devices hierarchy out)
        }
        var dir = System.IO.Path.Combine(devicesParent, name);
        foreach (var rule in rules)
        {
            var type = rule.Type is null or "a" ? "a" : rule.Type;
            var text = type == "a" ? "a" : $"{type} {(rule.Major is { } major and >= 0 ? major : "*")}:{(rule.Minor is { } minor and >= 0 ? minor : "*")} {(string.IsNullOrEmpty(rule.Access) ? "rwm" : rule.Access)}";
            CgroupFiles.Write(dir, rule.Allow ? "devices.allow" : "devices.deny", text);
        }
        // As runc's specconv: the devices every container gets are allowed after the config's rules
        // (podman passes only "deny all" and relies on them: /dev/pts/ptmx among them).
        foreach (var rule in DefaultAllowed)
        {
            CgroupFiles.Write(dir, "devices.allow", rule);
        }
    }

    /// <summary>runc's AllowedDevices: mknod of any node, and null, zero, full, tty, urandom, random, console, pts, ptmx, tun.</summary>
    private static readonly string[] DefaultAllowed =
    [
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm", "c 5:1 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm",
    ];
}
