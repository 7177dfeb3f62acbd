using RunF.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.Cgroups;

/// <summary>
/// A cgroup v1 container cgroup: one directory per hierarchy (memory, pids, cpu and cpuacct,
/// which are often co-mounted and then share one), keyed by controller.
/// </summary>
internal sealed class CgroupV1(IReadOnlyDictionary<string, string> dirs) : ICgroup
{
    public string Path => dirs.GetValueOrDefault("memory") ?? dirs.Values.First();

    public static CgroupV1 Create(IReadOnlyDictionary<string, string> dirs, CgroupLimits limits)
    {
        var cgroup = new CgroupV1(dirs);
        try
        {
            foreach (var dir in dirs.Values)
            {
                Directory.CreateDirectory(dir);
            }
            Apply(dirs, limits);
            return cgroup;
        }
        catch
        {
            cgroup.Remove();
            throw;
        }
    }

    /// <summary>The devices a function may open: those runf binds into its /dev, and ptys.</summary>
    private static readonly string[] AllowedDevices =
    [
        "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm",
    ];

    private static void Apply(IReadOnlyDictionary<string, string> dirs, CgroupLimits limits)
    {
        if (dirs.TryGetValue("devices", out var devices))
        {
            AllowOnly(devices);
        }
        foreach (var (controller, file, value) in Writes(limits))
        {
            if (dirs.TryGetValue(controller, out var dir))
            {
                CgroupFiles.Write(dir, file, value);
            }
        }
    }

    /// <summary>The control files the limits are written to, by controller, and their values, in order (--dry-run prints them).</summary>
    public static IReadOnlyList<(string Controller, string File, string Value)> Writes(CgroupLimits limits)
    {
        var writes = new List<(string, string, string)>();
        if (limits.MemoryBytes is { } bytes)
        {
            writes.Add(("memory", "memory.limit_in_bytes", bytes.ToString()));
        }
        if (limits.MemorySwapBytes is { } swap)
        {
            writes.Add(("memory", "memory.memsw.limit_in_bytes", swap.ToString())); // memory plus swap
        }
        if (limits.PidsLimit is { } pids)
        {
            writes.Add(("pids", "pids.max", pids.ToString()));
        }
        if (limits.CfsQuotaMicros is { } quota)
        {
            writes.Add(("cpu", "cpu.cfs_period_us", CgroupLimits.CfsPeriodMicros.ToString()));
            writes.Add(("cpu", "cpu.cfs_quota_us", quota.ToString()));
        }
        if (limits.CpuShares is { } shares)
        {
            writes.Add(("cpu", "cpu.shares", shares.ToString()));
        }
        return writes;
    }

    /// <summary>
    /// Denies every device but the allow list, as runc's default. Writing the rules needs
    /// CAP_SYS_ADMIN on the host, so a delegated, unprivileged runf goes without them.
    /// </summary>
    private static void AllowOnly(string dir)
    {
        if (SmallFiles.Write(System.IO.Path.Combine(dir, "devices.deny"), "a") != 0)
        {
            Serilog.Log.Debug("devices cgroup {Dir}: cannot write rules (needs CAP_SYS_ADMIN); devices are not restricted by cgroup", dir);
            return;
        }
        foreach (var rule in AllowedDevices)
        {
            CgroupFiles.Write(dir, "devices.allow", rule);
        }
    }

    public void Join(int pid)
    {
        foreach (var dir in dirs.Values)
        {
            CgroupFiles.Write(dir, "cgroup.procs", pid.ToString());
        }
    }

    public CgroupOutcome ReadOutcome()
    {
        var memory = dirs.GetValueOrDefault("memory");
        return memory is null
            ? new CgroupOutcome(0, null, null)
            : new CgroupOutcome(CgroupFiles.ReadKey(memory, "memory.oom_control", "oom_kill") ?? 0,
                CgroupFiles.ReadNumber(memory, "memory.max_usage_in_bytes"), null);
    }

    public void SweepSiblings(Func<string, bool> isLive)
    {
        foreach (var dir in dirs.Values)
        {
            CgroupFiles.SweepSiblings(dir, isLive);
        }
    }

    public void Remove()
    {
        foreach (var dir in dirs.Values)
        {
            CgroupFiles.RemoveDir(dir);
        }
    }
}
