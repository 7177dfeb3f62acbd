using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// mode=fn through the real binary, with Fn's own Node.js FDK (@fnproject/fdk from npm) in a
/// Node.js image extracted by runf: the FDK listens on FN_LISTENER's unix socket in its hot
/// container, and runf serve sends it each call as Fn's agent does.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ServeFnModeTests(TestEnvironment env)
{
    private const string Fdk = "@fnproject/fdk";
    private static readonly NodeImage Image = new(Fdk);
    private static readonly Lock RootfsLock = new();
    private static string? _rootfs;

    /// <summary>
    /// The function: counts its calls (a hot container keeps the count; its instance is a random
    /// id of the process, as every container's node has the same pid), and does what the event
    /// asks: throw, exit, sleep; it answers with what it saw of its call and its environment, and
    /// through the HTTP trigger sets a status and a header of its own.
    /// </summary>
    private const string Function = """
        const fdk = require('@fnproject/fdk');
        const instance = require('crypto').randomUUID();
        let calls = 0;
        fdk.handle(async function (input, ctx) {
          calls++;
          if (input && input.throw) throw new Error('the handler threw');
          if (input && input.exit) process.exit(3);
          if (input && input.sleep) await new Promise(r => setTimeout(r, input.sleep));
          const gw = ctx.httpGateway;
          if (gw.method) {
            gw.statusCode = 201;
            gw.setResponseHeader('X-Reply', 'from the trigger');
          }
          ctx.setResponseHeader('X-Invoke-Reply', 'from invoke');
          const env = {};
          for (const k of Object.keys(process.env).filter(k => k.startsWith('FN_'))) env[k] = process.env[k];
          return { calls, instance, input, callId: ctx.callID, deadline: ctx.getHeader('Fn-Deadline'), env,
            custom: ctx.getHeader('X-Custom'), method: gw.method, url: gw.requestURL, gwCustom: gw.getHeader('X-Custom'),
            gwContentType: ctx.getHeader('Content-Type') };
        });
        """;

    private string Rootfs()
    {
        lock (RootfsLock)
        {
            return _rootfs ??= Image.Extract(env, "fn-function", new Dictionary<string, string> { ["func.js"] = Function });
        }
    }

    private async Task<ServeServer> StartAsync(string[] args, string[]? command = null, bool untilReady = true) =>
        await ServeServer.StartAsync(env, ["--rootfs", Rootfs(), "--mode", "fn", "--healthcheck-interval", "0", "--stop-timeout", "2s", .. args, "--", .. command ?? ["node", "func.js"]],
            untilReady: untilReady);

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> InvokeAsync(ServeServer server, string json, string path = "/invoke/function")
    {
        var response = await server.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}\n{server.Stderr}");
        return (response, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task AssertFnErrorAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($"{{\"message\":\"{message}\"}}\n", await response.Content.ReadAsStringAsync());
    }

    [NodeFact(Fdk)]
    public async Task An_event_goes_in_and_the_handlers_answer_comes_out_with_Fns_headers_and_variables()
    {
        using var server = await StartAsync(["--exec-timeout", "30s", "--fn-app-name", "shop", "--fn-fn-name", "orders", "--fn-fn-id", "01J9ORDERS",
            "-e", "FN_FORMAT=json", "-e", "FROM_CONFIG=yes"]);
        var before = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invoke/01J9ORDERS") { Content = new StringContent("{\"order\":42}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Custom", "passed as it is");
        request.Headers.Add("Fn-Call-Id", "forged by the client");
        using var response = await server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}\n{server.Stderr}");
        var body = JsonDocument.Parse(text).RootElement;

        Assert.Equal(42, body.GetProperty("input").GetProperty("order").GetInt32());
        Assert.Equal("passed as it is", body.GetProperty("custom").GetString());
        // Fn's call id (a ULID), the same for the FDK and the client; the client's own is replaced.
        var callId = Assert.Single(response.Headers.GetValues("Fn-Call-Id"));
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{26}$", callId);
        Assert.Equal(callId, body.GetProperty("callId").GetString());
        var deadline = DateTimeOffset.Parse(body.GetProperty("deadline").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(deadline, before.AddSeconds(29), before.AddSeconds(32));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body.GetProperty("deadline").GetString());
        // /invoke passes the FDK's headers on as they are, and Content-Length is the whole answer's.
        Assert.Equal("from invoke", Assert.Single(response.Headers.GetValues("X-Invoke-Reply")));
        Assert.StartsWith("fdk-node/", Assert.Single(response.Headers.GetValues("Fn-Fdk-Version")));
        Assert.Equal(Encoding.UTF8.GetByteCount(text), response.Content.Headers.ContentLength);

        var variables = body.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["FN_APP_ID"] = "shop", ["FN_FN_ID"] = "01J9ORDERS", ["FN_APP_NAME"] = "shop", ["FN_FN_NAME"] = "orders",
            ["FN_MEMORY"] = "128", ["FN_TYPE"] = "sync", ["FN_LISTENER"] = "unix:/tmp/iofs/lsnr.sock", ["FN_FORMAT"] = "http-stream",
        }, variables);
        Assert.Contains("ready: node func.js (fn, 1 hot container, FN_LISTENER=unix:/tmp/iofs/lsnr.sock)", server.Stderr);

        using var otherFn = await server.Client.PostAsync("/invoke/function", new StringContent("{}"));
        await AssertFnErrorAsync(otherFn, HttpStatusCode.NotFound, "Fn not found");
        using var get = await server.Client.GetAsync("/invoke/01J9ORDERS");
        await AssertFnErrorAsync(get, HttpStatusCode.MethodNotAllowed, "Method not allowed: GET /invoke/01J9ORDERS");
    }

    [NodeFact(Fdk)]
    public async Task Any_other_path_is_Fns_http_trigger_the_request_wrapped_and_the_answer_unwrapped()
    {
        using var server = await StartAsync([]);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/shop/items?colour=blue") { Content = new StringContent("{\"x\":1}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Custom", "wrapped");
        using var response = await server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {text}\n{server.Stderr}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("PUT", body.GetProperty("method").GetString());
        Assert.Equal($"http://127.0.0.1:{server.Port}/shop/items?colour=blue", body.GetProperty("url").GetString());
        Assert.Equal("wrapped", body.GetProperty("gwCustom").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("custom").ValueKind); // reaches the FDK only as Fn-Http-H-X-Custom
        Assert.Equal("application/json; charset=utf-8", body.GetProperty("gwContentType").GetString());
        Assert.Equal(1, body.GetProperty("input").GetProperty("x").GetInt32());
        // Fn-Http-H-X-Reply became X-Reply; the FDK's other headers stay behind, the call id and Content-Type pass.
        Assert.Equal("from the trigger", Assert.Single(response.Headers.GetValues("X-Reply")));
        Assert.False(response.Headers.Contains("X-Invoke-Reply"));
        Assert.False(response.Headers.Contains("Fn-Fdk-Version"));
        Assert.Equal(body.GetProperty("callId").GetString(), Assert.Single(response.Headers.GetValues("Fn-Call-Id")));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [NodeFact(Fdk)]
    public async Task Calls_reuse_one_hot_container_and_a_handler_that_throws_is_a_502_that_keeps_it()
    {
        using var server = await StartAsync([]);
        var (_, first) = await InvokeAsync(server, "{}");
        var (_, second) = await InvokeAsync(server, "{}");
        Assert.Equal(1, first.GetProperty("calls").GetInt32());
        Assert.Equal(2, second.GetProperty("calls").GetInt32());
        Assert.Equal(first.GetProperty("instance").GetString(), second.GetProperty("instance").GetString());

        using (var threw = await server.Client.PostAsync("/invoke/function", new StringContent("{\"throw\":true}", Encoding.UTF8, "application/json")))
        {
            await AssertFnErrorAsync(threw, HttpStatusCode.BadGateway, "function failed");
            Assert.Single(threw.Headers.GetValues("Fn-Call-Id"));
        }
        await Eventually(() => server.Stderr.Contains("the handler threw"), "the FDK's own log line of the error never came");
        var (_, after) = await InvokeAsync(server, "{}");
        Assert.Equal(4, after.GetProperty("calls").GetInt32());
        Assert.Equal(0, await server.MetricAsync("runf_server_restarts_total"));
    }

    [NodeFact(Fdk)]
    public async Task A_function_that_crashes_fails_its_call_and_is_restarted_for_the_next()
    {
        using var server = await StartAsync([]);
        await InvokeAsync(server, "{}");
        using (var crashed = await server.Client.PostAsync("/invoke/function", new StringContent("{\"exit\":true}", Encoding.UTF8, "application/json")))
        {
            await AssertFnErrorAsync(crashed, HttpStatusCode.BadGateway, "error receiving function response");
        }
        var (_, next) = await InvokeAsync(server, "{}");
        Assert.Equal(1, next.GetProperty("calls").GetInt32()); // a new process
        // The exit, or the SIGKILL that replaces the container when its socket failed, if that came first.
        Assert.Matches("the function's server (exited with status 3|was killed by signal 9)", server.Stderr);
        Assert.Equal(2, Regex.Count(server.Stderr, "started the function's server in container"));
        Assert.Equal(1, await server.MetricAsync("runf_server_restarts_total"));
    }

    [NodeFact(Fdk)]
    public async Task A_call_past_exec_timeout_is_Fns_504_and_its_container_is_replaced()
    {
        using var server = await StartAsync(["--exec-timeout", "2s"]);
        await InvokeAsync(server, "{}");
        var watch = Stopwatch.StartNew();
        using (var late = await server.Client.PostAsync("/invoke/function", new StringContent("{\"sleep\":8000}", Encoding.UTF8, "application/json")))
        {
            await AssertFnErrorAsync(late, HttpStatusCode.GatewayTimeout, "Timed out");
        }
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.9, 4);
        var (_, next) = await InvokeAsync(server, "{}");
        Assert.Equal(1, next.GetProperty("calls").GetInt32());
        Assert.Contains("the call timed out: replacing the hot container", server.Stderr);
        Assert.Contains("the function's server was killed by signal 9", server.Stderr);
    }

    [NodeFact(Fdk)]
    public async Task Prewarmed_hot_containers_take_calls_side_by_side_each_one_at_a_time()
    {
        using var server = await StartAsync(["--prewarm", "2", "--exec-timeout", "20s"]);
        var watch = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 4).Select(_ => InvokeAsync(server, "{\"sleep\":1000}")).ToList();
        var bodies = (await Task.WhenAll(calls)).Select(c => c.Body).ToList();
        // Two containers, one call each at a time: four calls of 1 s take two rounds.
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.9, 6);
        Assert.Equal(2, bodies.Select(b => b.GetProperty("instance").GetString()).Distinct().Count());
        Assert.Equal([1, 1, 2, 2], bodies.Select(b => b.GetProperty("calls").GetInt32()).Order());
        Assert.Contains("(fn, 2 hot containers,", server.Stderr);
    }

    [NodeFact(Fdk)]
    public async Task Sigterm_drains_the_call_in_flight_then_stops_the_hot_container_and_leaves_nothing()
    {
        using var server = await StartAsync(["--write-timeout", "10s"]);
        var container = Regex.Match(server.Stderr, "started the function's server in container (\\S+),").Groups[1].Value;
        var agentDirectory = Regex.Match(server.Stderr, "the hot containers' socket directories are in (\\S+)").Groups[1].Value;
        Assert.StartsWith($"/tmp/runf-{TestEnvironment.TestUid}/fn-", agentDirectory);
        Assert.True(Directory.Exists(Path.Combine(agentDirectory, "iofs-0")));
        var inFlight = server.Client.PostAsync("/invoke/function", new StringContent("{\"sleep\":1500}", Encoding.UTF8, "application/json"));
        await Task.Delay(500);
        server.Terminate();
        using (var response = await inFlight)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Contains("the function's server exited with status 143", server.Stderr); // runf-init passed SIGTERM to node
        Assert.Empty(Runf.ChildrenOf(server.Pid));
        Assert.False(File.Exists($"/tmp/runf-{TestEnvironment.TestUid}/{container}.json"), "the container's state record was left");
        Assert.False(Directory.Exists(agentDirectory), "the agent's socket directory was left");
    }

    [NodeFact(Fdk)]
    public async Task A_SIGKILLed_agents_socket_directory_is_removed_by_the_next_agent()
    {
        string agentDirectory;
        using (var killed = await StartAsync([]))
        {
            agentDirectory = Regex.Match(killed.Stderr, "the hot containers' socket directories are in (\\S+)").Groups[1].Value;
            Runf.Signal(killed.Pid, 9);
            killed.WaitForExit(TimeSpan.FromSeconds(10));
        }
        Assert.True(Directory.Exists(agentDirectory), agentDirectory);
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // younger ones may be an agent's that is starting
        using var next = await StartAsync([]);
        Assert.False(Directory.Exists(agentDirectory), "the killed agent's socket directory was not swept");
        await InvokeAsync(next, "{}");
    }

    /// <summary>
    /// The FDK's directory is the function's to write: a listener that is a symlink out of it
    /// (to a socket of the host's, which the agent's user could reach) or to a symlink is never
    /// connected to. The agent never becomes ready, its calls time out, and the host's socket
    /// sees no connection.
    /// </summary>
    [FdkTheory]
    [InlineData("absolute")]
    [InlineData("chained")]
    public async Task A_listener_symlinked_out_of_its_directory_is_never_connected_to(string how)
    {
        var dir = env.NewDir("host-socket");
        var hostSocket = Path.Combine(dir, "host.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(hostSocket));
        listener.Listen();
        File.SetUnixFileMode(hostSocket, (UnixFileMode)0x1ff);
        var accepted = listener.AcceptAsync();
        var plant = how == "absolute"
            ? $"fs.symlinkSync('{hostSocket}', '/tmp/iofs/lsnr.sock')"
            : $"fs.symlinkSync('{hostSocket}', '/tmp/iofs/lsnr.sock.tmp'); fs.symlinkSync('lsnr.sock.tmp', '/tmp/iofs/lsnr.sock')";
        using var server = await StartAsync(["--exec-timeout", "2s"], ["node", "-e", $"const fs = require('fs'); {plant}; setInterval(() => {{}}, 1000)"], untilReady: false);
        using (var call = await server.Client.PostAsync("/invoke/function", new StringContent("{}")))
        {
            await AssertFnErrorAsync(call, HttpStatusCode.GatewayTimeout, "Container initialization timed out, please ensure you are using the latest fdk and check the logs");
        }
        using (var ready = await server.Client.GetAsync("/_/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        Assert.False(accepted.IsCompleted, "runf serve connected to the host's socket");
        Assert.Contains("the function's listener is refused", server.Stderr);
    }

    private static async Task Eventually(Func<bool> condition, string message)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), message);
            await Task.Delay(20);
        }
    }

    /// <summary>A theory about the FDK's image, skipped (with the reason) only when <see cref="NodeImage.UnavailableFor"/> says why (NodeFact's, for a theory).</summary>
    internal sealed class FdkTheoryAttribute : TheoryAttribute
    {
        public FdkTheoryAttribute() => Skip = NodeImage.UnavailableFor(Fdk);
    }
}
