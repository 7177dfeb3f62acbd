using System.Globalization;
using RunF.Runtime.Errors;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Cgroups;

/// <summary>Parses the cgroup options of a run request, with docker run's units and rules.</summary>
public static class CgroupRequest
{
    /// <summary>
    /// Below this a container is killed while it starts, and until its execve has replaced the
    /// memory it shares with runf (the launcher clones with CLONE_VM), the OOM killer would take
    /// runf with it. The exec's own charge (its arguments and environment, at most a quarter of
    /// the stack limit) stays well under it.
    /// </summary>
    public const long MinMemoryBytes = 6L << 20;

    /// <summary>A bound far above any machine, so that the quota (CPUs times the period) is always a sane number.</summary>
    private const double MaxCpus = 1024;

    public static CgroupLimits Limits(RunRequest request)
    {
        var memory = request.Memory is { } m ? ByteSize.Parse(m, "--memory") : (long?)null;
        if (memory < MinMemoryBytes)
        {
            throw new RunfException($"invalid --memory {request.Memory}: a container needs at least 6m (docker's minimum too)");
        }
        long? swap = request.MemorySwap switch
        {
            null => null,
            "-1" => -1,
            var s => ByteSize.Parse(s, "--memory-swap"),
        };
        if (swap is not null && memory is null)
        {
            throw new RunfException("--memory-swap needs --memory: it is the total of memory and swap");
        }
        if (swap > 0 && swap < memory)
        {
            throw new RunfException($"invalid --memory-swap {request.MemorySwap}: it must be at least --memory {request.Memory} (it counts memory plus swap)");
        }
        if (request.PidsLimit is <= 0)
        {
            throw new RunfException($"invalid --pids-limit {request.PidsLimit}: expected a positive number of processes");
        }
        double? cpus = null;
        if (request.Cpus is { } c)
        {
            // Digits and a dot only: double.TryParse would also take "Infinity" and "NaN".
            cpus = c.Length > 0 && c.All(ch => char.IsAsciiDigit(ch) || ch == '.')
                && double.TryParse(c, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n is >= 0.01 and <= MaxCpus
                ? n
                : throw new RunfException($"invalid --cpus \"{c}\": expected a number of CPUs from 0.01 to {MaxCpus}, such as 0.5 or 2");
        }
        if (request.CpuWeight is < 1 or > 10000)
        {
            throw new RunfException($"invalid --cpu-weight {request.CpuWeight}: expected 1 to 10000");
        }
        if (request.CpuShares is < 2 or > 262144)
        {
            throw new RunfException($"invalid --cpu-shares {request.CpuShares}: expected 2 to 262144");
        }
        return new CgroupLimits
        {
            MemoryBytes = memory,
            MemorySwapBytes = swap,
            PidsLimit = request.PidsLimit,
            Cpus = cpus,
            CpuWeight = request.CpuWeight ?? (request.CpuShares is { } shares ? CgroupLimits.WeightFromShares(shares) : null),
        };
    }

    public static CgroupMode Mode(RunRequest request) => request.Cgroups switch
    {
        "auto" => CgroupMode.Auto,
        "required" => CgroupMode.Required,
        "off" => CgroupMode.Off,
        var other => throw new RunfException($"invalid --cgroups \"{other}\": expected auto, required or off"),
    };
}
