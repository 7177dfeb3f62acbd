using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>
/// Limits enforced by the host's cgroups: as root (who may create cgroups here) and as the
/// unprivileged user with a cgroup delegated to it, as an executor would have.
/// </summary>
[Collection(RunfCollection.Name)]
public class CgroupTests(TestEnvironment env)
{
    [Fact]
    public void Memory_hog_is_killed_and_reported_with_137()
    {
        Assert.True(TestEnvironment.IsRoot, "cgroup tests need root to create or delegate cgroups");
        var r = Runf.RunAsCaller(env, "--memory", "32m", "tail", "/dev/zero");
        Assert.Equal(137, r.ExitCode);
        Assert.Equal("runf: container killed: out of memory (limit 32 MiB)", r.Stderr.Trim());
    }

    /// <summary>The smallest limit runf takes starts a container, runs it and reports; runf survives to say so.</summary>
    [Fact]
    public void The_smallest_memory_limit_runs_a_container()
    {
        Assert.True(TestEnvironment.IsRoot, "cgroup tests need root to create or delegate cgroups");
        var r = Runf.RunAsCaller(env, "--memory", "6m", "sh", "-c", "echo ran; exit 3");
        Assert.Equal((3, "ran\n", ""), (r.ExitCode, r.Stdout, r.Stderr));
    }

    /// <summary>--dry-run shows the cgroup and every limit write a run would make, and makes none of them.</summary>
    [Fact]
    public void Dry_run_shows_the_cgroup_and_its_limits_without_creating_it()
    {
        Assert.True(TestEnvironment.IsRoot, "cgroup tests need root to create or delegate cgroups");
        var r = Runf.RunAsCaller(env, "--dry-run", "--name", "dry-cgroup", "-m", "64m", "--pids-limit", "32", "true");
        Assert.Equal(0, r.ExitCode);
        var cgroup = r.Stdout.Split('\n').Single(l => l.StartsWith("cgroup v1: ", StringComparison.Ordinal));
        Assert.Contains("runf-dry-cgroup", cgroup);
        Assert.Matches(@"/runf-dry-cgroup/memory\.limit_in_bytes = 67108864\n", r.Stdout);
        Assert.Matches(@"/runf-dry-cgroup/pids\.max = 32\n", r.Stdout);
        Assert.All(cgroup["cgroup v1: ".Length..].Split(", "), dir => Assert.False(Directory.Exists(dir), $"{dir} was created"));
        // Unprivileged, without a delegated cgroup: said, not attempted.
        Assert.Contains("cgroup: none: ", Runf.Run(env, "--dry-run", "true").Stdout);
    }

    [Fact]
    public void Devices_cgroup_allows_only_the_containers_devices()
    {
        // On cgroup v1 (this kind of host; v2 would need an eBPF program, which runf does not load).
        // /dev/null is allowed; /dev/fuse (10:229), bound in by hand, opens without the cgroup but not with it.
        string[] run = ["--bind", "/dev/fuse:/tmp/fuse", "sh", "-c", "echo ok > /dev/null && echo null-ok; : < /tmp/fuse && echo fuse-opened"];
        Assert.Contains("fuse-opened", Runf.RunAsCaller(env, ["--cgroups", "off", .. run]).Stdout);
        var r = Runf.RunAsCaller(env, ["--pids-limit", "64", .. run]);
        Assert.Contains("null-ok", r.Stdout);
        Assert.DoesNotContain("fuse-opened", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stderr);
    }

    [Fact]
    public void Fork_bomb_stops_at_the_pids_limit_and_the_container_still_exits()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = Runf.RunAsCaller(env, "--pids-limit", "32", "--timeout", "60s", "sh", "-c",
            "i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; echo looped");
        // busybox sh gives up (exit 2) when fork fails; its PID namespace takes the 31 sleepers with it.
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("can't fork", r.Stderr);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Cpu_quota_holds_a_burner_to_about_a_fifth_of_a_core()
    {
        var report = Path.Combine(env.Dir, $"cpu-{Guid.NewGuid():N}.json");
        var r = Runf.RunAsCaller(env, "--cpus", "0.2", "--timeout", "2s", "--stop-timeout", "100ms", "--report", report, "sh", "-c", "while :; do :; done");
        Assert.Equal(124, r.ExitCode);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var cpu = json.RootElement.GetProperty("user_cpu_ms").GetDouble() + json.RootElement.GetProperty("system_cpu_ms").GetDouble();
        Assert.InRange(cpu, 200, 800); // 0.2 CPU x 2 s = 400 ms, with room for a noisy machine
        Assert.True(json.RootElement.GetProperty("timed_out").GetBoolean());
        Assert.True(json.RootElement.GetProperty("peak_memory_bytes").GetInt64() > 0);
    }

    [Fact]
    public async Task Unprivileged_user_enforces_limits_in_a_delegated_cgroup_and_leaves_nothing_behind()
    {
        using var cgroup = new DelegatedCgroup();
        var name = cgroup.Name;
        // runf doctor checks a delegation before it is used.
        var doctor = Runf.Run(env, "doctor", "--rootfs", env.Rootfs, "--cgroup-parent", "/" + name);
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Contains($"ok    cgroup parent /{name}: ", doctor.Stdout);
        var missing = Runf.Run(env, "doctor", "--rootfs", env.Rootfs, "--cgroup-parent", "/" + name + "-missing");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"FAIL  cgroup parent /{name}-missing: ", missing.Stdout);
        Assert.Contains("missing or not writable by uid 40000: as root, mkdir -p and chown -R 40000 each of them", missing.Stdout);
        var oom = Runf.Run(env, "--cgroup-parent", "/" + name, "--memory", "32m", "tail", "/dev/zero");
        Assert.Equal(137, oom.ExitCode);
        Assert.Contains("out of memory (limit 32 MiB)", oom.Stderr);
        Assert.Equal(0, Runf.Run(env, "--cgroup-parent", "/" + name, "--pids-limit", "8", "true").ExitCode);
        // runf serve's invocation in the same delegated cgroup says so too.
        using (var server = await Serve.ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", "--cgroup-parent", "/" + name, "--memory", "32m", "--", "tail", "/dev/zero"]))
        {
            using var response = await server.PostAsync("/", "");
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.StartsWith("function killed: out of memory", await response.Content.ReadAsStringAsync());
            // The agent removes an invocation's cgroup after the answer: wait while it runs (disposing kills it).
            await cgroup.WaitForEmptyAsync();
        }
    }

    [Fact]
    public void Limits_without_a_writable_cgroup_fail_before_starting()
    {
        var r = Runf.Run(env, "--memory", "32m", "touch", "/tmp/started");
        Assert.Equal(125, r.ExitCode);
        Assert.Matches("^runf: cannot create a cgroup in /sys/fs/cgroup/.*: (it is|they are) not writable by uid 40000: delegate one", r.Stderr);
        Assert.Equal(0, Runf.Run(env, "true").ExitCode); // no limit asked: runs without a cgroup
    }
}
