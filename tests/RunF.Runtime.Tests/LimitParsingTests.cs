using RunF.Runtime.Cgroups;
using RunF.Runtime.Errors;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests;

public class LimitParsingTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("10", 10_000)]
    public void Parses_durations(string text, double milliseconds) =>
        Assert.Equal(milliseconds, Duration.Parse(text, "--timeout").TotalMilliseconds);

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("1e3")]
    [InlineData("Infinitys")]
    public void Rejects_bad_durations(string text) =>
        Assert.Contains("expected a duration", Assert.Throws<RunfException>(() => Duration.Parse(text, "--timeout")).Message);

    [Theory]
    [InlineData("99999999999h")]
    [InlineData("99999999999999999999")]
    [InlineData("1194h")]
    public void Rejects_durations_no_timer_can_take(string text) =>
        Assert.Equal($"invalid --timeout \"{text}\": too long, at most 1193h (49 days)", Assert.Throws<RunfException>(() => Duration.Parse(text, "--timeout")).Message);

    [Fact]
    public void Takes_the_longest_duration_a_timer_can() =>
        Assert.Equal(TimeSpan.FromHours(1193), Duration.Parse("1193h", "--timeout"));

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("8388608t")]
    public void Rejects_sizes_past_a_long(string text) =>
        Assert.Contains("too large", Assert.Throws<RunfException>(() => ByteSize.Parse(text, "--memory")).Message);

    [Fact]
    public void Takes_the_largest_size() =>
        Assert.Equal(long.MaxValue >> 40 << 40, ByteSize.Parse($"{long.MaxValue >> 40}t", "--memory"));

    [Theory]
    [InlineData(30, "30s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(120, "2m")]
    public void Formats_durations_for_messages(double seconds, string text) =>
        Assert.Equal(text, Duration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("0.5", 50_000L)]
    [InlineData("2", 200_000L)]
    [InlineData("0.2", 20_000L)]
    public void Turns_cpus_into_a_cfs_quota_per_100ms_period(string cpus, long quota)
    {
        var limits = CgroupRequest.Limits(new RunRequest { Cpus = cpus });
        Assert.Equal(quota, limits.CfsQuotaMicros);
        Assert.Equal(100_000, CgroupLimits.CfsPeriodMicros);
    }

    [Fact]
    public void Converts_cpu_shares_to_weights_and_back_as_runc_does()
    {
        Assert.Equal(39, CgroupRequest.Limits(new RunRequest { CpuShares = 1024 }).CpuWeight); // 1 + (1024 - 2) * 9999 / 262142
        Assert.Equal(1, CgroupLimits.WeightFromShares(2));
        Assert.Equal(10000, CgroupLimits.WeightFromShares(262144));
        Assert.Equal(2597, new CgroupLimits { CpuWeight = 100 }.CpuShares); // 2 + (100 - 1) * 262142 / 9999
        Assert.Equal(500, CgroupRequest.Limits(new RunRequest { CpuShares = 1024, CpuWeight = 500 }).CpuWeight);
    }

    [Fact]
    public void Parses_memory_and_swap_like_docker()
    {
        var limits = CgroupRequest.Limits(new RunRequest { Memory = "64m", MemorySwap = "128m", PidsLimit = 32 });
        Assert.Equal(64L << 20, limits.MemoryBytes);
        Assert.Equal(128L << 20, limits.MemorySwapBytes);
        Assert.Equal(32, limits.PidsLimit);
        Assert.True(limits.Any);
        Assert.Equal(-1, CgroupRequest.Limits(new RunRequest { Memory = "64m", MemorySwap = "-1" }).MemorySwapBytes);
        Assert.False(CgroupRequest.Limits(new RunRequest()).Any);
    }

    [Theory]
    [InlineData(null, "1g", null, null, null, null, "--memory-swap needs --memory")]
    [InlineData("64m", "32m", null, null, null, null, "must be at least --memory")]
    [InlineData("6291455b", null, null, null, null, null, "a container needs at least 6m")]
    [InlineData(null, null, 0L, null, null, null, "invalid --pids-limit 0")]
    [InlineData(null, null, null, "0", null, null, "invalid --cpus")]
    [InlineData(null, null, null, "half", null, null, "invalid --cpus")]
    [InlineData(null, null, null, null, 1L, null, "invalid --cpu-shares 1")]
    [InlineData(null, null, null, null, null, 10001L, "invalid --cpu-weight 10001")]
    public void Rejects_bad_limits(string? memory, string? swap, long? pids, string? cpus, long? shares, long? weight, string message)
    {
        var request = new RunRequest { Memory = memory, MemorySwap = swap, PidsLimit = pids, Cpus = cpus, CpuShares = shares, CpuWeight = weight };
        Assert.Contains(message, Assert.Throws<RunfException>(() => CgroupRequest.Limits(request)).Message);
    }

    [Theory]
    [InlineData("auto", CgroupMode.Auto)]
    [InlineData("required", CgroupMode.Required)]
    [InlineData("off", CgroupMode.Off)]
    public void Parses_the_cgroup_mode(string text, CgroupMode mode) =>
        Assert.Equal(mode, CgroupRequest.Mode(new RunRequest { Cgroups = text }));
}
