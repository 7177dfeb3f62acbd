using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Cgroups;

/// <summary>A cgroup v2 container cgroup: one directory with the limits as its control files.</summary>
internal sealed class CgroupV2(string dir) : ICgroup
{
    public string Path => dir;

    public static CgroupV2 Create(string parent, string name, CgroupLimits limits)
    {
        EnableControllers(parent, limits);
        var dir = System.IO.Path.Combine(parent, name);
        Directory.CreateDirectory(dir);
        var cgroup = new CgroupV2(dir);
        try
        {
            foreach (var (file, value) in Writes(limits))
            {
                CgroupFiles.Write(dir, file, value);
            }
            return cgroup;
        }
        catch
        {
            cgroup.Remove();
            throw;
        }
    }

    /// <summary>The control files the limits are written to, and their values, in order (--dry-run prints them).</summary>
    public static IReadOnlyList<(string File, string Value)> Writes(CgroupLimits limits)
    {
        var writes = new List<(string, string)>();
        if (limits.MemoryBytes is { } memory)
        {
            writes.Add(("memory.max", memory.ToString()));
            if (limits.MemorySwapBytes is { } swap)
            {
                writes.Add(("memory.swap.max", swap < 0 ? "max" : Math.Max(0, swap - memory).ToString())); // swap alone
            }
        }
        if (limits.PidsLimit is { } pids)
        {
            writes.Add(("pids.max", pids.ToString()));
        }
        if (limits.CfsQuotaMicros is { } quota)
        {
            writes.Add(("cpu.max", $"{quota} {CgroupLimits.CfsPeriodMicros}"));
        }
        if (limits.CpuWeight is { } weight)
        {
            writes.Add(("cpu.weight", weight.ToString()));
        }
        return writes;
    }

    /// <summary>
    /// Limits need their controllers enabled in the parent's subtree_control, which the kernel
    /// refuses while the parent itself holds processes (the no-internal-process rule).
    /// </summary>
    private static void EnableControllers(string parent, CgroupLimits limits)
    {
        var wanted = new List<string>();
        if (limits.MemoryBytes is not null || limits.MemorySwapBytes is not null)
        {
            wanted.Add("memory");
        }
        if (limits.PidsLimit is not null)
        {
            wanted.Add("pids");
        }
        if (limits.Cpus is not null || limits.CpuWeight is not null)
        {
            wanted.Add("cpu");
        }
        var enabled = (SmallFiles.ReadText(System.IO.Path.Combine(parent, "cgroup.subtree_control")) ?? "").Split(' ', StringSplitOptions.TrimEntries);
        var missing = wanted.Except(enabled).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var errno = SmallFiles.Write(System.IO.Path.Combine(parent, "cgroup.subtree_control"), string.Join(' ', missing.Select(c => "+" + c)));
        if (errno == Errno.EBUSY)
        {
            throw new RunfException($"cannot enable {string.Join(",", missing)} in cgroup {parent}: it holds processes (the no-internal-process rule): " +
                $"move the executor into a leaf cgroup (e.g. mkdir {parent}/executor and write its pid to cgroup.procs there, as Docker-in-Docker does) or pass --cgroup-parent");
        }
        if (errno != 0)
        {
            throw new RunfException($"cannot enable {string.Join(",", missing)} in cgroup {parent}: {Errno.Describe(errno)} (is the controller available and delegated?)");
        }
    }

    public void Join(int pid) => CgroupFiles.Write(dir, "cgroup.procs", pid.ToString());

    public CgroupOutcome ReadOutcome() =>
        new(CgroupFiles.ReadKey(dir, "memory.events", "oom_kill") ?? 0, CgroupFiles.ReadNumber(dir, "memory.peak"), CgroupFiles.ReadNumber(dir, "pids.peak"));

    public void Remove() => CgroupFiles.RemoveDir(dir);

    public void SweepSiblings(Func<string, bool> isLive) => CgroupFiles.SweepSiblings(dir, isLive);
}
