using System.Diagnostics;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>Timeouts, reports, ps and kill, doctor and nesting: the executor's view of a run.</summary>
[Collection(RunfCollection.Name)]
public class LifecycleTests(TestEnvironment env)
{
    [Fact]
    public void Timeout_stops_the_container_within_a_second_of_the_deadline_and_exits_124()
    {
        // --no-init: the command is PID 1 and ignores SIGTERM, so only the SIGKILL after the stop timeout ends it.
        var watch = Stopwatch.StartNew();
        using var p = Runf.Start(env, ["--no-init", "--timeout", "1s", "--stop-timeout", "500ms", "sh", "-c", "sleep 100 & sleep 100 & echo ready; wait"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var init = Assert.Single(Runf.ChildrenOf(p.Id));
        var sleepers = Runf.ChildrenOf(init);
        Assert.Equal(2, sleepers.Count);
        Assert.True(p.WaitForExit(10_000));
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.0, 2.5);
        Assert.Equal(124, p.ExitCode);
        Assert.Equal("runf: timed out after 1s", p.StandardError.ReadToEnd().Trim());
        Assert.All(sleepers.Append(init), pid => Assert.True(Runf.StateOf(pid) is null or 'Z', $"process {pid} survived"));
    }

    [Fact]
    public void Init_forwards_sigterm_to_a_command_that_installs_no_handler()
    {
        // runf-init is PID 1 by default: a plain sleep is not, so the SIGTERM runf passes on ends it.
        using var p = Runf.Start(env, ["sh", "-c", "echo ready; exec sleep 100"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Runf.Signal(p.Id, 15);
        Assert.True(p.WaitForExit(5_000), "runf-init did not pass SIGTERM on");
        Assert.Equal(143, p.ExitCode);
    }

    [Fact]
    public void A_command_that_ignores_a_forwarded_sigterm_is_killed_after_the_stop_timeout()
    {
        using var p = Runf.Start(env, ["--stop-timeout", "1s", "sh", "-c", "trap '' TERM; echo ready; sleep 100"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var watch = Stopwatch.StartNew();
        Runf.Signal(p.Id, 15);
        Assert.True(p.WaitForExit(10_000), "the container outlived the stop timeout");
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 4);
        Assert.Equal(137, p.ExitCode);
        Assert.Equal("runf: the container did not stop within --stop-timeout 1s of SIGTERM: killed", p.StandardError.ReadToEnd().Trim());
    }

    [Fact]
    public void A_command_that_stops_within_the_stop_timeout_keeps_its_own_status()
    {
        using var p = Runf.Start(env, ["--stop-timeout", "1s", "sh", "-c", "trap 'sleep 0.3; exit 7' HUP; echo ready; while :; do sleep 0.05; done"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Runf.Signal(p.Id, 1);
        Assert.True(p.WaitForExit(10_000));
        Assert.Equal(7, p.ExitCode);
        Assert.Equal("", p.StandardError.ReadToEnd());
    }

    [Fact]
    public void Init_is_pid_1_reaps_orphans_and_passes_the_exit_status_through()
    {
        var r = Runf.Run(env, "sh", "-c", "sh -c 'sleep 0.2 &'; sleep 1; cat /proc/1/cmdline | tr '\\0' ' '; echo; ps -o stat,comm; exit 3");
        Assert.Equal(3, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^runf-init [0-9]+:[0-9]+ /bin/sh sh -c ", lines[0]); // the error pipe and the exec step, then the command
        Assert.DoesNotContain(lines.Skip(2), line => line.TrimStart().StartsWith('Z'));
        var missing = Runf.Run(env, "no-such-command");
        Assert.Equal(127, missing.ExitCode);
        Assert.StartsWith("runf: exec \"no-such-command\": not found in rootfs", missing.Stderr);
        Assert.Equal(126, Runf.Run(env, "--init", "/etc/passwd").ExitCode); // --init is accepted, as docker's
    }

    /// <summary>The cases: signals a command sends itself, or its children send it, are no longer dropped.</summary>
    [Fact]
    public void Signals_the_command_sends_itself_work_because_it_is_not_pid_1()
    {
        Assert.Equal(137, Runf.Run(env, "sh", "-c", "kill -9 $$").ExitCode);
        Assert.Equal(143, Runf.Run(env, "sh", "-c", "kill $$; sleep 5").ExitCode);
        var watch = Stopwatch.StartNew();
        Assert.Equal(143, Runf.Run(env, "timeout", "1", "sleep", "6").ExitCode); // busybox timeout signals its parent's child: itself
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 4);
    }

    [Fact]
    public void No_init_makes_the_command_pid_1_which_the_kernel_spares_its_own_signals()
    {
        Assert.Equal("1\n", Runf.Run(env, "--no-init", "sh", "-c", "echo $$").Stdout);
        Assert.Equal(0, Runf.Run(env, "--no-init", "sh", "-c", "kill -9 $$").ExitCode);
        var both = Runf.Run(env, "--init", "--no-init", "true");
        Assert.Equal(125, both.ExitCode);
        Assert.Equal("runf: --init and --no-init contradict each other: runf-init is PID 1 by default, so drop --init, or drop --no-init to keep it", both.Stderr.Trim());
    }

    [Fact]
    public void Report_holds_the_true_exit_code_and_times()
    {
        var dir = env.NewDir("report");
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff);
        var path = Path.Combine(dir, "report.json");
        var r = Runf.Run(env, "--report", path, "sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 7");
        Assert.Equal(7, r.ExitCode);
        using var report = JsonDocument.Parse(File.ReadAllText(path));
        var root = report.RootElement;
        Assert.Equal(7, root.GetProperty("exit_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signal").ValueKind);
        Assert.False(root.GetProperty("timed_out").GetBoolean());
        Assert.Equal(["sh", "-c"], root.GetProperty("command").EnumerateArray().Take(2).Select(e => e.GetString()));
        Assert.InRange(root.GetProperty("user_cpu_ms").GetDouble() + root.GetProperty("system_cpu_ms").GetDouble(), 1, 10_000);
        Assert.True(root.GetProperty("wall_time_ms").GetDouble() >= root.GetProperty("user_cpu_ms").GetDouble() * 0.5);
    }

    [Fact]
    public void Report_fd_writes_the_report_to_an_inherited_descriptor()
    {
        var dir = env.NewDir("reportfd");
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff);
        var path = Path.Combine(dir, "report.json");
        var psi = Runf.Unprivileged("/bin/sh", ["-c", "exec \"$0\" --report-fd 3 sh -c 'exit 5' 3>\"$1\"", env.Runf, path]);
        psi.WorkingDirectory = env.Dir;
        using var p = Process.Start(psi)!;
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(5, p.ExitCode);
        using var report = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(5, report.RootElement.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public void Ps_lists_a_running_container_and_kill_signals_it()
    {
        using var p = Runf.Start(env, ["sh", "-c", "trap 'exit 9' USR1; echo ready; while true; do sleep 0.05; done"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var ps = Runf.Run(env, "ps", "--format", "json");
        using var list = JsonDocument.Parse(ps.Stdout);
        var mine = list.RootElement.EnumerateArray().Single(c => c.GetProperty("pid").GetInt32() == Assert.Single(Runf.ChildrenOf(p.Id)));
        var id = mine.GetProperty("id").GetString()!;
        Assert.Contains(id, Runf.Run(env, "ps").Stdout);
        Assert.Equal(0, Runf.Run(env, "kill", id, "USR1").ExitCode);
        Assert.True(p.WaitForExit(10_000));
        Assert.Equal(9, p.ExitCode);
        Assert.Contains("no running container", Runf.Run(env, "kill", id).Stderr);
    }

    /// <summary>docker kill's default is KILL: a command that ignores TERM would run on.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("-s SIGKILL")]
    public void Kill_without_a_signal_kills(string options)
    {
        var signal = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using var p = Runf.Start(env, ["--name", $"killme-{signal.Length}", "sh", "-c", "trap '' TERM; echo ready; exec sleep 60"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Assert.Equal(0, Runf.Run(env, ["kill", $"killme-{signal.Length}", .. signal]).ExitCode);
        Assert.True(p.WaitForExit(10_000), "the container outlived runf kill");
        Assert.Equal(137, p.ExitCode);
    }

    [Fact]
    public void Kill_with_term_stops_a_plain_sleep()
    {
        using var p = Runf.Start(env, ["--name", "termme", "sh", "-c", "echo ready; exec sleep 60"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Assert.Equal(0, Runf.Run(env, "kill", "-s", "TERM", "termme").ExitCode);
        Assert.True(p.WaitForExit(10_000), "the container outlived runf kill -s TERM");
        Assert.Equal(143, p.ExitCode);
    }

    [Fact]
    public void Kill_refuses_two_different_signals() =>
        Assert.Contains("two signals given (TERM and --signal HUP)", Runf.Run(env, "kill", "x", "TERM", "-s", "HUP").Stderr);

    [Fact]
    public void Doctor_passes_here() =>
        Assert.Equal(0, Runf.Run(env, "doctor", "--rootfs", "rootfs").ExitCode);

    [Fact]
    public void Nested_runf_needs_setfcap_and_unmasked_system_paths_and_doctor_says_so()
    {
        // The executor as a container: host libraries for the runf binary, the function rootfs bound in.
        var outer = env.CopyRootfs("outer");
        foreach (var dir in new[] { "lib", "lib64", "usr/lib", "fn" })
        {
            Directory.CreateDirectory(Path.Combine(outer, dir));
        }
        File.WriteAllText(Path.Combine(outer, "usr/bin/runf"), "");
        string[] binds = ["--bind", "/lib:/lib", "--bind", "/lib64:/lib64", "--bind", "/usr/lib:/usr/lib",
            "--bind", $"{env.Runf}:/usr/bin/runf", "--bind", $"{env.Rootfs}:/fn"];
        const string inner = "runf doctor --rootfs /fn; echo doctor=$?; runf --rootfs /fn echo inner-ran";

        var plain = Runf.Run(env, ["--rootfs", outer, "--seccomp", "unconfined", .. binds, "sh", "-c", inner], null);
        Assert.Contains("doctor=1", plain.Stdout);
        Assert.Contains("mapping root needs CAP_SETFCAP", plain.Stdout + plain.Stderr);

        var withCap = Runf.Run(env, ["--rootfs", outer, "--seccomp", "unconfined", "--cap-add", "SETFCAP", .. binds, "sh", "-c", inner], null);
        Assert.Contains("FAIL  proc mount", withCap.Stdout);
        Assert.Contains("--security-opt systempaths=unconfined", withCap.Stderr);

        var lifted = Runf.Run(env, ["--rootfs", outer, "--seccomp", "unconfined", "--cap-add", "SETFCAP", "--security-opt", "systempaths=unconfined", .. binds, "sh", "-c", inner], null);
        Assert.Contains("doctor=0", lifted.Stdout);
        Assert.Contains("inner-ran", lifted.Stdout);
    }
}
