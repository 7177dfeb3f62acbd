namespace RunF.Runtime.Cgroups;

public enum CgroupMode
{
    /// <summary>A cgroup when one can be made; without one only when no limit is asked for.</summary>
    Auto,

    /// <summary>Fail unless the container gets a cgroup.</summary>
    Required,

    Off,
}

/// <summary>The limits of docker run's names and units, already parsed. Null means not set.</summary>
public sealed record CgroupLimits
{
    public long? MemoryBytes { get; init; }

    /// <summary>Memory plus swap, as docker's --memory-swap; -1 for unlimited swap.</summary>
    public long? MemorySwapBytes { get; init; }

    public long? PidsLimit { get; init; }

    /// <summary>CPUs' worth of time per period (0.5 = half a core).</summary>
    public double? Cpus { get; init; }

    /// <summary>Relative CPU weight, cgroup v2's 1..10000 (--cpu-shares is converted).</summary>
    public long? CpuWeight { get; init; }

    public bool Any => MemoryBytes is not null || MemorySwapBytes is not null || PidsLimit is not null || Cpus is not null || CpuWeight is not null;

    public const long CfsPeriodMicros = 100_000;

    public long? CfsQuotaMicros => Cpus is { } cpus ? (long)Math.Round(cpus * CfsPeriodMicros) : null;

    /// <summary>cgroup v1 cpu.shares for the weight (the conversion runc and crun use, inverted).</summary>
    public long? CpuShares => CpuWeight is { } w ? 2 + (w - 1) * 262142 / 9999 : null;

    public static long WeightFromShares(long shares) => 1 + (Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142;
}
