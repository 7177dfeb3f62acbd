using System.Net;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// What the OpenWhisk modes add with runf containers, through the real binary as the test user:
/// the action's code bound read-only at /action (attacked), a rootfs without /action, and the
/// actionloop mode's long-lived container.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class OpenWhiskContainerTests(TestEnvironment env)
{
    private const string Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

    /// <summary>
    /// A busybox actionloop action: reads one JSON line per activation, logs, and writes its
    /// result on fd 3 with its count of activations, its container (the hostname) and the line.
    /// "die" in the line makes it exit without answering; "slow" makes it sleep past the timeout.
    /// </summary>
    private const string LoopAction = """
        #!/bin/sh
        n=0
        while read -r line; do
          n=$((n+1))
          case "$line" in *'"die"'*) echo "dying at $n" >&2; exit 3;; *'"slow"'*) sleep 30;; esac
          echo "log of activation $n"
          printf '{"n":%d,"host":"%s","got":%s}\n' "$n" "$(hostname)" "$line" >&3
        done
        """;

    private Task<ServeServer> StartAsync(string rootfs, params string[] args) =>
        ServeServer.StartAsync(env, ["--rootfs", rootfs, "--healthcheck-interval", "0", .. args]);

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(ServeServer server, string path, string body)
    {
        using var response = await server.PostAsync(path, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Init(string code) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["value"] = new Dictionary<string, object> { ["code"] = code, ["binary"] = false } });

    private static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement;

    [Fact]
    public async Task An_action_cannot_modify_its_code_which_is_bound_read_only_at_action_and_runs_there()
    {
        const string action = """
            #!/bin/sh
            w=0; r=0; t=0; c=0
            echo pwned 2>/dev/null >> /action/exec && w=1
            rm -f /action/exec 2>/dev/null && r=1
            touch /action/planted 2>/dev/null && t=1
            chmod 777 /action/exec 2>/dev/null && c=1
            printf '{"wrote":%d,"removed":%d,"created":%d,"chmod":%d,"cwd":"%s"}\n' $w $r $t $c "$(pwd)"
            """;
        using var server = await StartAsync(env.Rootfs, "--mode", "openwhisk");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "/init", Init(action))).Status);
        for (var run = 0; run < 2; run++)
        {
            var (status, body) = await PostAsync(server, "/run", "{\"value\":{}}");
            Assert.True(status == HttpStatusCode.OK, body);
            Assert.Equal("{\"wrote\":0,\"removed\":0,\"created\":0,\"chmod\":0,\"cwd\":\"/action\"}\n", body);
        }
        // The code on the host is as /init wrote it (in the agent's private directory, beside
        // those agents killed by earlier tests left), and the rootfs's /action is still empty.
        var installed = Directory.GetFiles($"/tmp/runf-{TestEnvironment.TestUid}", "exec", SearchOption.AllDirectories);
        var ours = Assert.Single(installed, f => File.ReadAllText(f) == action);
        Assert.Equal(["exec"], Directory.GetFileSystemEntries(Path.GetDirectoryName(ours)!).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(env.Rootfs, "action")));

        // The agent removes its action directory when it exits.
        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path.GetDirectoryName(ours))), "the action directory is left");
    }

    [Fact]
    public async Task The_action_directory_of_a_SIGKILLed_agent_is_removed_when_the_next_one_starts()
    {
        string left;
        using (var server = await StartAsync(env.Rootfs, "--mode", "openwhisk"))
        {
            const string action = "#!/bin/sh\necho '{\"killed\":\"agent\"}'\n";
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "/init", Init(action))).Status);
            var installed = Directory.GetFiles($"/tmp/runf-{TestEnvironment.TestUid}", "exec", SearchOption.AllDirectories);
            left = Path.GetDirectoryName(Path.GetDirectoryName(Assert.Single(installed, f => File.ReadAllText(f) == action)))!;
            Runf.Signal(server.Pid, 9);
            server.WaitForExit(TimeSpan.FromSeconds(10));
        }
        Assert.True(Directory.Exists(left), "the test needs the killed agent's directory");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // younger ones may be an agent's that is starting
        using var next = await StartAsync(env.Rootfs, "--mode", "openwhisk");
        Assert.False(Directory.Exists(left), $"{left} is left");
    }

    [Fact]
    public async Task An_init_with_code_on_a_rootfs_without_action_fails_with_one_line_naming_the_fix()
    {
        var rootfs = env.CopyRootfs("no-action");
        Directory.Delete(Path.Combine(rootfs, "action"));
        using var server = await StartAsync(rootfs, "--mode", "openwhisk");
        Assert.Contains($"rootfs {rootfs} has no /action directory", server.Stderr);
        var (status, body) = await PostAsync(server, "/init", Init("#!/bin/sh\necho '{}'\n"));
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal($"rootfs {rootfs} lacks the mount point /action: create it there (mkdir -p {rootfs}/action): runf never writes into a rootfs",
            Json(body).GetProperty("error").GetString());
        Assert.False(Directory.Exists(Path.Combine(rootfs, "action")), "runf wrote into the rootfs");
    }

    [Fact]
    public async Task An_actionloop_action_serves_activations_one_at_a_time_in_one_container()
    {
        using var server = await StartAsync(env.Rootfs, "--mode", "openwhisk-loop");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "/init", Init(LoopAction))).Status);

        var hosts = new HashSet<string>();
        for (var n = 1; n <= 3; n++)
        {
            var (status, body) = await PostAsync(server, "/run", $"{{\"value\":{{\"i\":{n}}},\n \"activation_id\":\"act-{n}\"}}");
            Assert.True(status == HttpStatusCode.OK, body);
            var result = Json(body);
            Assert.Equal(n, result.GetProperty("n").GetInt32());
            Assert.Equal(n, result.GetProperty("got").GetProperty("value").GetProperty("i").GetInt32());
            Assert.Equal($"act-{n}", result.GetProperty("got").GetProperty("activation_id").GetString());
            hosts.Add(result.GetProperty("host").GetString()!);
        }
        Assert.Single(hosts);
        // Each activation's log comes before its sentinel, on runf serve's stdout.
        Assert.Contains($"log of activation 1\n{Sentinel}\nlog of activation 2\n{Sentinel}\nlog of activation 3\n{Sentinel}\n", server.Stdout);

        // Activations sent together are served one after another by the same process.
        var together = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync(server, "/run", "{\"value\":{}}")));
        Assert.All(together, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal([4, 5, 6, 7], together.Select(r => Json(r.Body).GetProperty("n").GetInt32()).Order());
        Assert.Equal(hosts.Single(), Json(together[0].Body).GetProperty("host").GetString());
    }

    [Fact]
    public async Task An_actionloop_action_that_dies_or_times_out_is_restarted_for_the_next_activation()
    {
        using var server = await StartAsync(env.Rootfs, "--mode", "openwhisk-loop", "--exec-timeout", "2s");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "/init", Init(LoopAction))).Status);
        var first = Json((await PostAsync(server, "/run", "{\"value\":{}}")).Body);
        Assert.Equal(1, first.GetProperty("n").GetInt32());

        var (status, body) = await PostAsync(server, "/run", "{\"value\":{\"die\":true}}");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("command exited", Json(body).GetProperty("error").GetString());
        Assert.Contains("dying at 2", server.Stderr);

        var restarted = Json((await PostAsync(server, "/run", "{\"value\":{}}")).Body);
        Assert.Equal(1, restarted.GetProperty("n").GetInt32());
        Assert.NotEqual(first.GetProperty("host").GetString(), restarted.GetProperty("host").GetString());

        (status, body) = await PostAsync(server, "/run", "{\"value\":{\"slow\":true}}");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.StartsWith("the action exceeded its time limit of 2s", Json(body).GetProperty("error").GetString());
        var afterTimeout = Json((await PostAsync(server, "/run", "{\"value\":{}}")).Body);
        Assert.Equal(1, afterTimeout.GetProperty("n").GetInt32());
        Assert.Equal(2d, await server.MetricAsync("runf_starts_total{kind=\"cold\"}"));
    }

    [Fact]
    public async Task Actionloop_mode_answers_in_the_go_proxys_words_and_runs_fprocess_as_a_blackbox_loop()
    {
        using (var server = await StartAsync(env.Rootfs, "--mode", "openwhisk-loop"))
        {
            var (status, body) = await PostAsync(server, "/run", "{\"value\":{}}");
            Assert.Equal(HttpStatusCode.InternalServerError, status);
            Assert.Equal("no action defined yet", Json(body).GetProperty("error").GetString());
            (status, body) = await PostAsync(server, "/init", "{\"value\":{}}");
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("Missing main/no code to execute.", Json(body).GetProperty("error").GetString());
            await PostAsync(server, "/init", Init("#!/bin/sh\nwhile read -r l; do echo 'not json' >&3; done\n"));
            (status, body) = await PostAsync(server, "/run", "{\"value\":{}}");
            Assert.Equal(HttpStatusCode.BadGateway, status);
            Assert.Equal("The action did not return a dictionary or array.", Json(body).GetProperty("error").GetString());
        }

        using var blackbox = await StartAsync(env.Rootfs, "--mode", "openwhisk-loop", "--", "sh", "-c", "while read -r l; do echo \"[$l]\" >&3; done");
        var (okStatus, okBody) = await PostAsync(blackbox, "/run", "{\"value\":{\"x\":1}}");
        Assert.True(okStatus == HttpStatusCode.OK, okBody);
        Assert.Equal("[{\"value\":{\"x\":1}}]\n", okBody);
    }
}
