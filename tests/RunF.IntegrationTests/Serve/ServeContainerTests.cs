using System.Net;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// What the runf runner adds over a plain process, attacked through runf serve: every
/// invocation gets a container of its own, used once, and a pre-warmed container holds nothing
/// of the agent while it waits.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ServeContainerTests(TestEnvironment env)
{
    private Task<ServeServer> StartAsync(params string[] args) =>
        ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", .. args]);

    /// <summary>runf-init is PID 1 of every function container: a function that kills itself dies, as under the watchdog.</summary>
    [Fact]
    public async Task A_function_that_kills_itself_fails_and_no_init_makes_it_pid_1_again()
    {
        using (var server = await StartAsync("--", "sh", "-c", "kill -9 $$"))
        {
            using var response = await server.PostAsync("/", "");
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("exit status 137", await response.Content.ReadAsStringAsync());
        }
        using (var server = await StartAsync("--no-init", "--", "sh", "-c", "kill -9 $$; echo still-pid-1"))
        {
            using var response = await server.PostAsync("/", "");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("still-pid-1\n", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_waiting_container_holds_no_descriptor_of_the_agent_while_invocations_are_in_flight()
    {
        // The replacements are cloned while the agent holds client sockets and the pipes of the
        // invocations in flight; a container that kept copies would hold those connections open
        // and delay the invocations' EOF for as long as it waits.
        using var server = await StartAsync("--prewarm", "2", "--", "sh", "-c", "cat; sleep 1");
        await WaitUntilAsync(async () => await server.MetricAsync("runf_prewarmed_containers") == 2);
        var inFlight = Enumerable.Range(0, 4).Select(_ => server.PostAsync("/", "in flight")).ToList();
        await WaitUntilAsync(async () => await server.MetricAsync("runf_starts_total{kind=\"prewarmed\"}") + await server.MetricAsync("runf_starts_total{kind=\"cold\"}") >= 2
            && await server.MetricAsync("runf_prewarmed_containers") == 2);

        var waiting = WaitingContainerPids();
        Assert.True(waiting.Count >= 2, $"found {waiting.Count} waiting containers");
        foreach (var pid in waiting)
        {
            // 0-2 (the agent's /dev/null and log), then only the error pipe, the dispatch socket and runf-init's memfd.
            var extra = Directory.GetFiles($"/proc/{pid}/fd").Select(f => int.Parse(Path.GetFileName(f))).Where(fd => fd > 2)
                .Select(fd => $"{fd} -> {ReadLink($"/proc/{pid}/fd/{fd}")}").ToList();
            Assert.True(extra.Count == 3 && extra.Count(l => l.Contains("socket:")) == 1 && extra.Count(l => l.Contains("pipe:")) == 1
                && extra.Count(l => l.Contains("/memfd:runf-init")) == 1,
                $"waiting container {pid} holds: {string.Join(", ", extra)}");
        }
        foreach (var request in inFlight)
        {
            using var response = await request;
            Assert.Equal("in flight", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_waiting_container_killed_from_outside_is_replaced_and_no_request_fails()
    {
        using var server = await StartAsync("--prewarm", "2", "--fprocess", "cat");
        await WaitUntilAsync(async () => await server.MetricAsync("runf_prewarmed_containers") == 2);
        var killed = WaitingContainerPids();
        foreach (var pid in killed)
        {
            Runf.Signal(pid, 9);
        }
        // kill() returns before the target has died; a container killed after it was handed its
        // command is a function killed at its start, and that request fails, as it should.
        await WaitUntilAsync(() => Task.FromResult(killed.All(pid => Runf.StateOf(pid) is null or 'Z')));
        for (var i = 0; i < 4; i++)
        {
            using var response = await server.PostAsync("/", $"call {i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"call {i}", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_records_of_a_SIGKILLed_agent_are_swept_by_the_next_one()
    {
        List<string> killed;
        using (var server = await StartAsync("--prewarm", "2", "--fprocess", "cat"))
        {
            await WaitUntilAsync(async () => await server.MetricAsync("runf_prewarmed_containers") == 2);
            killed = Containers();
            Runf.Signal(server.Pid, 9);
            server.WaitForExit(TimeSpan.FromSeconds(10));
        }
        var files = killed.Select(id => $"/tmp/runf-{TestEnvironment.TestUid}/{id}.json").ToList();
        Assert.Contains(files, File.Exists);
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // records younger than 2 s may be a runf's that is starting

        using var next = await StartAsync("--fprocess", "cat");
        var left = files.Where(File.Exists).ToList();
        Assert.True(left.Count == 0, $"left behind by the killed agent: {string.Join(", ", left)}");
    }

    [Theory]
    [InlineData("no-such-function", 127, "exec \"no-such-function\": not found in rootfs")]
    [InlineData("/etc/passwd", 126, "exec \"/etc/passwd\": Permission denied")]
    public void A_function_the_rootfs_cannot_run_fails_the_agent_at_start_up(string command, int exitCode, string line)
    {
        var result = Runf.Run(env, ["serve", "--rootfs", env.Rootfs, "--port", "18991", "--metrics-port", "18992", "--", command], stdin: null, timeoutSeconds: 30);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(line, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'), l => l.Contains(line));
    }

    /// <summary>Containers of the test user whose PID 1 has not executed anything yet: still the agent's launcher thread.</summary>
    private List<int> WaitingContainerPids()
    {
        var result = Runf.Run(env, "ps", "--format", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("pid").GetInt32())
            .Where(pid => File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").StartsWith("runf-launcher", StringComparison.Ordinal))];
    }

    private static string ReadLink(string path) => new FileInfo(path).LinkTarget ?? "?";

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    public async Task Every_invocation_gets_a_fresh_container_of_its_own(string prewarm)
    {
        // A file left in /tmp by one invocation must not be seen by the next, the hostname is
        // the container's own, and the function is PID 2 of its own PID namespace, under runf-init.
        using var server = await StartAsync("--prewarm", prewarm, "--", "sh", "-c",
            "echo $$ $(hostname) $HOSTNAME; ls /tmp/left-behind 2>&1; touch /tmp/left-behind");
        var hostnames = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await server.PostAsync("/", "");
            var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
            var fields = lines[0].Split(' ');
            Assert.Equal("2", fields[0]);
            Assert.Equal(fields[1], fields[2]);
            Assert.True(hostnames.Add(fields[1]), $"hostname {fields[1]} served twice");
            Assert.Contains("No such file or directory", lines[1]);
        }
    }

    [Fact]
    public async Task The_agents_environment_reaches_the_function_less_runf_serves_settings_and_flags_win_over_it()
    {
        // As the watchdog passes its own environment: how OpenFaaS environment: and secrets settings reach a function.
        var agent = new Dictionary<string, string>
        {
            ["AGENT_SECRET"] = "s3cret", ["OVERRIDDEN"] = "by the agent", ["fprocess"] = "env", ["exec_timeout"] = "20s",
            ["max_inflight"] = "9", ["function_process"] = "env", ["prefix_logs"] = "true", ["PATH"] = "/agents/own/bin",
        };
        using var server = await ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", "-e", "OVERRIDDEN=by -e"], agent);
        using var response = await server.PostAsync("/", "");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("AGENT_SECRET=s3cret", lines);
        Assert.Contains("OVERRIDDEN=by -e", lines);
        Assert.Contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", lines); // the container's own
        foreach (var setting in (string[])["fprocess", "exec_timeout", "max_inflight", "function_process", "prefix_logs", "mode", "port"])
        {
            Assert.DoesNotContain(lines, l => l.StartsWith(setting + "=", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Prewarmed_containers_are_counted_and_none_is_left_after_SIGTERM()
    {
        using var server = await StartAsync("--prewarm", "3", "--fprocess", "cat");
        await WaitUntilAsync(async () => await server.MetricAsync("runf_prewarmed_containers") == 3);
        var waiting = Containers();
        Assert.True(waiting.Count >= 3, $"runf ps shows {waiting.Count} containers, expected the 3 waiting");

        using (var response = await server.PostAsync("/", "one"))
        {
            Assert.Equal("one", await response.Content.ReadAsStringAsync());
        }
        await WaitUntilAsync(async () => await server.MetricAsync("runf_prewarmed_containers") == 3);

        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));
        var left = Containers().Intersect(waiting).ToList();
        Assert.True(left.Count == 0, $"left behind after SIGTERM: {string.Join(", ", left)}");
        foreach (var id in waiting)
        {
            Assert.False(File.Exists($"/tmp/runf-{TestEnvironment.TestUid}/{id}.json"), $"state file of {id} left behind");
        }
    }

    /// <summary>The ids runf ps lists for the test user.</summary>
    private List<string> Containers()
    {
        var result = Runf.Run(env, "ps", "--format", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++)
        {
            await Task.Delay(100);
        }
        Assert.True(await condition(), "condition not reached in 10 s");
    }
}
