using System.Globalization;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>--debug-timing: the start-up budget, from the runtime's start to the command's exec.</summary>
[Collection(RunfCollection.Name)]
public class TimingTests(TestEnvironment env)
{
    [Fact]
    public void Debug_timing_accounts_for_everything_from_the_runtimes_start_to_exec()
    {
        var r = Runf.Run(env, "--debug-timing", "true");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(l => l != "runf: timing (ms)").Skip(1)
            .Select(l => l.Trim().Split("  ", 2))
            .Select(p => (Ms: double.Parse(p[0], CultureInfo.InvariantCulture), What: p[1]))
            .ToList();

        // The runtime's own start, before main, is stamped by the native constructor.
        Assert.Equal("runtime start-up, before main", lines[0].What);
        Assert.InRange(lines[0].Ms, 0.01, 1000);
        Assert.Contains(lines, l => l.What == "clone and id maps");
        Assert.Contains(lines, l => l.What == "pivot_root into the rootfs");
        Assert.Equal("exec \"true\"", lines[^2].What);
        // No gap: the parts add up to the total (each is rounded to a microsecond).
        Assert.Equal("total from runf's start to exec", lines[^1].What);
        Assert.InRange(lines[..^1].Sum(l => l.Ms) - lines[^1].Ms, -0.001 * lines.Count, 0.001 * lines.Count);
        Assert.All(lines, l => Assert.True(l.Ms >= 0, $"{l.What}: {l.Ms}"));
    }
}
