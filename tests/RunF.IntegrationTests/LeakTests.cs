using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>
/// Thousands of runs a day must leave nothing behind: 200 runs with cgroups, mixing success,
/// failure, timeouts and SIGKILLs of runf itself, then no runf-* cgroup, state file or process.
/// Runs as root: creating cgroups in runf's own cgroup needs it on this kind of host.
/// </summary>
[Collection(RunfCollection.Name)]
public class LeakTests(TestEnvironment env)
{
    private const string Marker = "1013"; // sleep 1013: a process of this test, easy to find

    [Fact]
    public void Two_hundred_runs_with_failures_and_killed_runf_leave_no_cgroup_state_or_process()
    {
        Assert.True(TestEnvironment.IsRoot, "this test needs root to create cgroups");
        string[] limits = ["--pids-limit", "64", "--memory", "64m"];
        for (var i = 0; i < 200; i++)
        {
            switch (i % 5)
            {
                case 0:
                    Assert.Equal(0, Runf.RunAsCaller(env, [.. limits, "true"]).ExitCode);
                    break;
                case 1:
                    Assert.Equal(7, Runf.RunAsCaller(env, [.. limits, "sh", "-c", "exit 7"]).ExitCode);
                    break;
                case 2:
                    Assert.Equal(127, Runf.RunAsCaller(env, [.. limits, "no-such-command"]).ExitCode);
                    break;
                case 3:
                    Assert.Equal(124, Runf.RunAsCaller(env, [.. limits, "--timeout", "100ms", "--stop-timeout", "50ms", "sleep", Marker]).ExitCode);
                    break;
                case 4:
                    using (var p = Runf.Start(env, [.. limits, "sh", "-c", $"echo ready; exec sleep {Marker}"], asCaller: true))
                    {
                        Assert.Equal("ready", p.StandardOutput.ReadLine());
                        Runf.Signal(p.Id, 9);
                        p.WaitForExit();
                    }
                    break;
            }
        }
        // Cgroups and state files of a runf killed in the last two seconds are left alone as
        // possibly still starting; the next run after that sweeps them.
        Thread.Sleep(2500);
        Assert.Equal(0, Runf.RunAsCaller(env, [.. limits, "true"]).ExitCode);

        Assert.Empty(RunfCgroups());
        Assert.Empty(Directory.Exists(StateDir) ? Directory.GetFiles(StateDir, "*.json") : []);
        Assert.DoesNotContain(Processes(), cmdline => cmdline.Contains($"sleep\0{Marker}") || cmdline.StartsWith(env.Runf));
    }

    private static string StateDir => Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Directory.Exists(xdg)
        ? Path.Combine(xdg, "runf")
        : "/tmp/runf-0";

    private static IEnumerable<string> RunfCgroups() =>
        Directory.EnumerateDirectories("/sys/fs/cgroup", "runf-*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 6, IgnoreInaccessible = true });

    private static IEnumerable<string> Processes() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))
            .Select(pid => { try { return File.ReadAllText($"/proc/{pid}/cmdline"); } catch (IOException) { return ""; } });
}
