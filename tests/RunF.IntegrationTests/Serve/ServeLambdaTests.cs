using System.Diagnostics;
using System.Net;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// mode=lambda through the real binary, with a Lambda custom runtime written in busybox shell
/// (wget against the runtime API): the minimal contract, the errors, restarts, timeouts, warm
/// reuse, runtimes side by side, the runtime API's owner check, and SIGTERM.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ServeLambdaTests(TestEnvironment env)
{
    private const string Invocations = "/2015-03-31/functions/function/invocations";

    /// <summary>
    /// The runtime: each event names what to do. /home is a directory the test and every
    /// runtime share (read-write), for what a runtime must leave for another.
    /// </summary>
    private const string Bootstrap = """
        #!/bin/sh
        # A Lambda custom runtime in busybox shell: the runtime API with wget.
        api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
        if [ "$INIT_FAILS" = once ] && [ ! -e /home/init-failed ]; then
          touch /home/init-failed
          wget -q -O /dev/null --header "Lambda-Runtime-Function-Error-Type: Runtime.BadInit" \
            --post-data '{"errorMessage":"cannot load the handler","errorType":"Runtime.BadInit"}' "$api/init/error"
          exit 1
        fi
        n=0
        while true; do
          event=$(wget -q -S -O - "$api/invocation/next" 2>/tmp/headers) || exit 1
          id=$(grep -i 'Lambda-Runtime-Aws-Request-Id:' /tmp/headers | tr -d '\r' | awk '{print $2}')
          n=$((n+1))
          respond() { wget -q -O /dev/null --post-data "$1" "$api/invocation/$id/response"; }
          case "$event" in
            crash) exit 3 ;;
            sleep\ *) sleep "${event#sleep }"; respond "slept in $(hostname)" ;;
            error) wget -q -O /dev/null --header "Lambda-Runtime-Function-Error-Type: Function.BadEvent" \
                     --post-data '{"errorMessage":"bad event","errorType":"BadEvent"}' "$api/invocation/$id/error" ;;
            env) respond "$(env | sort)" ;;
            big) respond "$(head -c 3000 /dev/zero | tr '\0' x)" || echo "the runtime API refused the response" >&2 ;;
            headers) respond "$(tr -d '\r' < /tmp/headers)" ;;
            victim) echo "$id $AWS_LAMBDA_RUNTIME_API" > /home/victim; sleep 3; respond "the victim's own answer" ;;
            attack)
              set -- $(cat /home/victim)
              own=$(wget -q -O - --post-data forged "$api/invocation/$1/response" 2>&1)
              theirs=$(wget -q -O - --post-data forged "http://$2/2018-06-01/runtime/invocation/$1/response" 2>&1)
              next=$(wget -q -O - "http://$2/2018-06-01/runtime/invocation/next" 2>&1)
              respond "own: $own | theirs: $theirs | next: $next" ;;
            *) respond "{\"n\":$n,\"event\":\"$event\",\"host\":\"$(hostname)\"}" ;;
          esac
        done
        """;

    private (string Code, string Shared) Dirs()
    {
        var code = env.NewDir("lambda-code");
        var path = Path.Combine(code, "bootstrap");
        File.WriteAllText(path, Bootstrap.Replace("\r\n", "\n") + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ed);
        var shared = env.NewDir("lambda-shared");
        File.SetUnixFileMode(shared, (UnixFileMode)0x1ff);
        return (code, shared);
    }

    private async Task<(ServeServer Server, string Shared)> StartAsync(string[] args, string[]? command = null, IReadOnlyDictionary<string, string>? extraEnv = null)
    {
        var (code, shared) = Dirs();
        var server = await ServeServer.StartAsync(env,
            ["--rootfs", env.Rootfs, "--mode", "lambda", "--bind", code + ":/mnt", "--bind", shared + ":/home:rw",
             "--healthcheck-interval", "0", "--stop-timeout", "2s", .. args, "--", .. command ?? ["/mnt/bootstrap"]], extraEnv);
        return (server, shared);
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> InvokeAsync(ServeServer server, string evt, Action<HttpRequestMessage>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Invocations) { Content = new StringContent(evt) };
        headers?.Invoke(request);
        var response = await server.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    [Fact]
    public async Task An_event_goes_in_and_the_response_comes_out_and_one_warm_runtime_serves_the_next_too()
    {
        var (server, _) = await StartAsync([]);
        using var owned = server;
        Assert.Contains("(lambda, 1 runtime(s), runtime API ports ", server.Stderr);

        var (status, body, response) = await InvokeAsync(server, "hello");
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}\n{server.Stderr}");
        Assert.Null(Header(response, "X-Amz-Function-Error"));
        Assert.Equal("$LATEST", Header(response, "X-Amz-Executed-Version"));
        Assert.True(Guid.TryParse(Header(response, "X-Amzn-RequestId"), out _));
        var first = JsonDocument.Parse(body).RootElement;
        Assert.Equal(1, first.GetProperty("n").GetInt32());
        Assert.Equal("hello", first.GetProperty("event").GetString());

        // The same runtime process (its count goes on) in the same container serves the second.
        var (_, second, _) = await InvokeAsync(server, "again");
        var again = JsonDocument.Parse(second).RootElement;
        Assert.Equal(2, again.GetProperty("n").GetInt32());
        Assert.Equal(first.GetProperty("host").GetString(), again.GetProperty("host").GetString());

        using var get = await server.Client.GetAsync(Invocations);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        using var elsewhere = await server.PostAsync("/2015-03-31/functions/other/invocations", "x");
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Fact]
    public async Task The_runtime_API_gives_the_request_id_deadline_arn_trace_client_context_and_cognito_identity()
    {
        var (server, _) = await StartAsync(["--exec-timeout", "7s"], extraEnv: new Dictionary<string, string> { ["AWS_LAMBDA_FUNCTION_NAME"] = "thumbnails", ["AWS_REGION"] = "eu-west-1" });
        using var owned = server;
        var before = DateTimeOffset.UtcNow;
        var (status, body, response) = await InvokeAsync(server, "headers", request =>
        {
            request.Headers.Add("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
            request.Headers.Add("X-Amz-Client-Context", Convert.ToBase64String("{\"custom\":{\"k\":\"v\"}}"u8.ToArray()));
            request.Headers.Add("X-Amz-Cognito-Identity", "{\"cognitoIdentityId\":\"id-1\",\"cognitoIdentityPoolId\":\"pool-1\"}");
        });
        Assert.Equal(HttpStatusCode.OK, status);
        var headers = body.Split('\n').Select(l => l.Trim()).Where(l => l.Contains(": ")).ToDictionary(l => l[..l.IndexOf(": ", StringComparison.Ordinal)].ToLowerInvariant(), l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
        Assert.Equal(Header(response, "X-Amzn-RequestId"), headers["lambda-runtime-aws-request-id"]);
        Assert.Equal("arn:aws:lambda:eu-west-1:012345678912:function:thumbnails", headers["lambda-runtime-invoked-function-arn"]);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", headers["lambda-runtime-trace-id"]);
        Assert.Equal("{\"custom\":{\"k\":\"v\"}}", headers["lambda-runtime-client-context"]);
        Assert.Equal("{\"cognitoIdentityId\":\"id-1\",\"cognitoIdentityPoolId\":\"pool-1\"}", headers["lambda-runtime-cognito-identity"]);
        Assert.StartsWith("application/json", headers["content-type"]);
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(headers["lambda-runtime-deadline-ms"]));
        Assert.InRange(deadline, before + TimeSpan.FromSeconds(6), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(7.5));

        // Without a trace id, one is made as X-Ray makes a root; without the others, no header.
        (_, body, _) = await InvokeAsync(server, "headers");
        Assert.Matches("Lambda-Runtime-Trace-Id: Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", body);
        Assert.DoesNotContain("Client-Context", body);
        Assert.DoesNotContain("Cognito", body);

        (status, body, response) = await InvokeAsync(server, "headers", request => request.Headers.Add("X-Amz-Client-Context", "not base64!"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidRequestContentException", Header(response, "X-Amzn-ErrorType"));
    }

    [Fact]
    public async Task The_runtime_gets_Lambdas_variables_and_its_own_runtime_API_address()
    {
        var (server, _) = await StartAsync([], ["/mnt/bootstrap", "index.handler"],
            new Dictionary<string, string> { ["AWS_LAMBDA_FUNCTION_NAME"] = "thumbnails", ["AWS_REGION"] = "eu-west-1", ["AGENT_SECRET"] = "passed" });
        using var owned = server;
        var (status, body, _) = await InvokeAsync(server, "env");
        Assert.Equal(HttpStatusCode.OK, status);
        var vars = body.Split('\n').Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        Assert.Matches("^127\\.0\\.0\\.1:[0-9]+$", vars["AWS_LAMBDA_RUNTIME_API"]);
        Assert.NotEqual($"127.0.0.1:{server.Port}", vars["AWS_LAMBDA_RUNTIME_API"]);
        Assert.Equal("index.handler", vars["_HANDLER"]); // the command's last word, as the emulator takes it
        Assert.Equal("/var/task", vars["LAMBDA_TASK_ROOT"]);
        Assert.Equal("/var/runtime", vars["LAMBDA_RUNTIME_DIR"]);
        Assert.Equal("thumbnails", vars["AWS_LAMBDA_FUNCTION_NAME"]);
        Assert.Equal("$LATEST", vars["AWS_LAMBDA_FUNCTION_VERSION"]);
        Assert.Equal("3008", vars["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]);
        Assert.Equal("eu-west-1", vars["AWS_REGION"]);
        Assert.Equal("eu-west-1", vars["AWS_DEFAULT_REGION"]);
        Assert.Equal("/aws/lambda/thumbnails", vars["AWS_LAMBDA_LOG_GROUP_NAME"]);
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", vars["AWS_LAMBDA_LOG_STREAM_NAME"]);
        Assert.Equal("on-demand", vars["AWS_LAMBDA_INITIALIZATION_TYPE"]);
        Assert.Equal("passed", vars["AGENT_SECRET"]); // the agent's environment, as the emulator passes its own
        Assert.False(vars.ContainsKey("mode"), "runf serve's own settings stay with the agent");
    }

    [Fact]
    public async Task A_function_error_is_the_runtimes_document_with_X_Amz_Function_Error_Unhandled()
    {
        var (server, _) = await StartAsync([]);
        using var owned = server;
        var (status, body, response) = await InvokeAsync(server, "error");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", Header(response, "X-Amz-Function-Error"));
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("{\"errorMessage\":\"bad event\",\"errorType\":\"BadEvent\"}", body);
        Assert.Contains("failed: Function.BadEvent", server.Stderr);
        // The runtime goes on: the error was its answer, not its end.
        (_, body, _) = await InvokeAsync(server, "next");
        Assert.Equal(2, JsonDocument.Parse(body).RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task A_runtime_that_crashes_answers_Runtime_ExitError_and_another_is_started()
    {
        var (server, _) = await StartAsync([]);
        using var owned = server;
        var (_, body, _) = await InvokeAsync(server, "first");
        var host = JsonDocument.Parse(body).RootElement.GetProperty("host").GetString();

        var (status, crash, response) = await InvokeAsync(server, "crash");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", Header(response, "X-Amz-Function-Error"));
        var error = JsonDocument.Parse(crash).RootElement;
        Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        Assert.Equal($"RequestId: {Header(response, "X-Amzn-RequestId")} Error: Runtime exited with error: exit status 3", error.GetProperty("errorMessage").GetString());

        (status, body, _) = await InvokeAsync(server, "after");
        Assert.Equal(HttpStatusCode.OK, status);
        var after = JsonDocument.Parse(body).RootElement;
        Assert.Equal(1, after.GetProperty("n").GetInt32());
        Assert.NotEqual(host, after.GetProperty("host").GetString());
    }

    [Fact]
    public async Task A_runtime_past_the_timeout_is_killed_its_invocation_answers_Sandbox_Timedout_and_the_next_gets_a_new_one()
    {
        var (server, _) = await StartAsync(["--exec-timeout", "1s"]);
        using var owned = server;
        var watch = Stopwatch.StartNew();
        var (status, body, response) = await InvokeAsync(server, "sleep 30");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"answered after {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", Header(response, "X-Amz-Function-Error"));
        var error = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Error: Task timed out after 1.00 seconds", error.GetProperty("errorMessage").GetString());
        Assert.Empty(server.Descendants("sleep")); // killed with its container

        (status, body, _) = await InvokeAsync(server, "after");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, JsonDocument.Parse(body).RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task An_init_error_answers_the_invocation_that_waited_for_it_and_the_next_starts_another_runtime()
    {
        var (server, _) = await StartAsync([], extraEnv: new Dictionary<string, string> { ["INIT_FAILS"] = "once" });
        using var owned = server;
        var (status, body, response) = await InvokeAsync(server, "first");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", Header(response, "X-Amz-Function-Error"));
        Assert.Equal("{\"errorMessage\":\"cannot load the handler\",\"errorType\":\"Runtime.BadInit\"}", body);
        Assert.Contains("init failed: Runtime.BadInit", server.Stderr);

        (status, body, response) = await InvokeAsync(server, "second");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(Header(response, "X-Amz-Function-Error"));
        Assert.Equal("second", JsonDocument.Parse(body).RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public async Task Max_inflight_runtimes_run_side_by_side_each_one_invocation_at_a_time_and_past_them_429()
    {
        var (server, _) = await StartAsync(["--max-inflight", "2", "--prewarm", "2"]);
        using var owned = server;
        var watch = Stopwatch.StartNew();
        var both = await Task.WhenAll(InvokeAsync(server, "sleep 2"), InvokeAsync(server, "sleep 2"));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3.8), $"two 2 s invocations took {watch.Elapsed}: not side by side");
        Assert.NotEqual(both[0].Body, both[1].Body); // "slept in HOST": two containers

        var busy = new[] { InvokeAsync(server, "sleep 2"), InvokeAsync(server, "sleep 2") };
        await Task.Delay(500);
        var (status, body, response) = await InvokeAsync(server, "third");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("TooManyRequestsException", Header(response, "X-Amzn-ErrorType"));
        Assert.Contains("Rate Exceeded", body);
        await Task.WhenAll(busy);
    }

    [Fact]
    public async Task A_runtime_cannot_answer_or_take_another_runtimes_invocation()
    {
        var (server, shared) = await StartAsync(["--max-inflight", "2", "--prewarm", "2"]);
        using var owned = server;
        var victim = InvokeAsync(server, "victim");
        var marker = Path.Combine(shared, "victim");
        for (var i = 0; i < 100 && !File.Exists(marker); i++)
        {
            await Task.Delay(20);
        }
        var (victimId, victimApi) = File.ReadAllText(marker).Trim().Split(' ') is [var id, var api] ? (id, api) : throw new InvalidOperationException("no marker");

        var (status, attack, _) = await InvokeAsync(server, "attack");
        Assert.Equal(HttpStatusCode.OK, status);
        // Through its own API: not its invocation. Through the victim's port: not its container.
        Assert.Contains("own: wget: server returned error: HTTP/1.1 400 Bad Request", attack);
        Assert.Contains("theirs: wget: server returned error: HTTP/1.1 403 Forbidden", attack);
        Assert.Contains("next: wget: server returned error: HTTP/1.1 403 Forbidden", attack);
        Assert.Contains($"refused POST /2018-06-01/runtime/invocation/{victimId}/response", server.Stderr);

        // Nor can a process of the executor outside every container.
        using (var outsider = new HttpClient())
        {
            using var next = await outsider.GetAsync($"http://{victimApi}/2018-06-01/runtime/invocation/next");
            Assert.Equal(HttpStatusCode.Forbidden, next.StatusCode);
            using var forged = await outsider.PostAsync($"http://{victimApi}/2018-06-01/runtime/invocation/{victimId}/response", new StringContent("forged"));
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        var answer = await victim;
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("the victim's own answer", answer.Body);
        Assert.Equal(victimId, Header(answer.Response, "X-Amzn-RequestId"));
        Assert.NotEqual($"127.0.0.1:{server.Port}", victimApi);
    }

    [Fact]
    public async Task A_response_or_an_event_past_max_response_size_is_refused()
    {
        var (server, _) = await StartAsync(["--max-response-size", "2k"]);
        using var owned = server;
        var (status, body, response) = await InvokeAsync(server, "big");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", Header(response, "X-Amz-Function-Error"));
        var error = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Function.ResponseSizeTooLarge", error.GetProperty("errorType").GetString());
        Assert.Contains("exceeded maximum allowed payload size (2048 bytes", error.GetProperty("errorMessage").GetString());
        // Its POST got 413 (logged by the runtime after the invocation's answer).
        for (var i = 0; i < 100 && !server.Stderr.Contains("the runtime API refused the response"); i++)
        {
            await Task.Delay(50);
        }
        Assert.Contains("stderr: the runtime API refused the response", server.Stderr);

        (status, body, response) = await InvokeAsync(server, new string('e', 3000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("RequestEntityTooLargeException", Header(response, "X-Amzn-ErrorType"));
        (status, _, _) = await InvokeAsync(server, "small");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task An_invocation_in_flight_at_SIGTERM_gets_its_runtimes_answer_then_the_agent_exits()
    {
        var (server, _) = await StartAsync(["--write-timeout", "10s"]);
        using var owned = server;
        var inFlight = InvokeAsync(server, "sleep 2");
        await Task.Delay(500);
        server.Terminate();
        var (status, body, _) = await inFlight;
        // The runtime API is outside the drain: the runtime still fetched and answered.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("slept in ", body);
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.Empty(server.Descendants("bootstrap"));
    }

    [Fact]
    public async Task SIGTERM_stops_every_runtime_and_leaves_no_container()
    {
        var (server, _) = await StartAsync(["--max-inflight", "2", "--prewarm", "2"]);
        using var owned = server;
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(server, "one")).Status);
        for (var i = 0; i < 100 && await server.MetricAsync("runf_prewarmed_containers") < 2; i++)
        {
            await Task.Delay(50);
        }
        // The runtimes' containers, as the agent named them (other agents of the test user may run meanwhile).
        var running = System.Text.RegularExpressions.Regex.Matches(server.Stderr, "started container (\\S+),").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, running.Count);
        Assert.Equal(2, Containers().Intersect(running).Count());
        Assert.Equal(2, server.Descendants("bootstrap").Count);

        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));
        var left = Containers().Intersect(running).ToList();
        Assert.True(left.Count == 0, $"left behind after SIGTERM: {string.Join(", ", left)}");
        Assert.Empty(server.Descendants("bootstrap"));
        Assert.Contains("stopped", server.Stderr);
    }

    [Fact]
    public async Task Without_a_command_the_emulators_bootstrap_is_run_and_bad_settings_are_one_line()
    {
        var rootfs = env.CopyRootfs("lambda-bootstrap");
        Directory.CreateDirectory(Path.Combine(rootfs, "var", "runtime"));
        var bootstrap = Path.Combine(rootfs, "var", "runtime", "bootstrap");
        File.WriteAllText(bootstrap, Bootstrap.Replace("\r\n", "\n") + "\n");
        File.SetUnixFileMode(bootstrap, (UnixFileMode)0x1ed);
        using (var server = await ServeServer.StartAsync(env, ["--rootfs", rootfs, "--mode", "lambda", "--healthcheck-interval", "0"]))
        {
            var (status, body, _) = await InvokeAsync(server, "found");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("found", JsonDocument.Parse(body).RootElement.GetProperty("event").GetString());
            Assert.Contains("ready: /var/runtime/bootstrap (lambda, 1 runtime(s), runtime API ports ", server.Stderr);
        }

        var none = Runf.Run(env, ["serve", "--rootfs", env.Rootfs, "--mode", "lambda", "--port", $"{ServeServer.FreePort()}", "--metrics-port", $"{ServeServer.FreePort()}"], stdin: null, timeoutSeconds: 30);
        Assert.Equal(125, none.ExitCode);
        Assert.Equal($"runf serve: no function to run: mode=lambda runs fprocess, the command after --, the image's Entrypoint and Cmd, or a bootstrap at /var/task/bootstrap, /opt/bootstrap, /var/runtime/bootstrap, and rootfs {env.Rootfs} has none of them\n", none.Stderr);

        var prewarm = Runf.Run(env, ["serve", "--rootfs", env.Rootfs, "--mode", "lambda", "--max-inflight", "1", "--prewarm", "2", "--", "/bin/true"], stdin: null, timeoutSeconds: 30);
        Assert.Equal(125, prewarm.ExitCode);
        Assert.Equal("runf serve: --prewarm 2 is more than max_inflight 1: mode=lambda runs at most max_inflight runtimes; lower --prewarm or raise max_inflight\n", prewarm.Stderr);
    }

    /// <summary>The ids runf ps lists for the test user.</summary>
    private List<string> Containers()
    {
        var result = Runf.Run(env, "ps", "--format", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }
}
