using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// The watchdog contract of runf serve, driven over HTTP against the real binary. Each subclass
/// runs the same tests with one runner: runf containers (cold or prewarmed) or the process
/// baseline (runf-serve-baselines).
/// </summary>
public abstract class ServeTests(TestEnvironment env)
{
    protected TestEnvironment Env => env;

    /// <summary>What goes with the runner (the rootfs for runners that need one, --prewarm).</summary>
    protected abstract string[] RunnerArgs { get; }

    /// <summary>The runf-serve-baselines runner these tests run with; null for runf serve itself.</summary>
    protected virtual string? Baseline => null;

    /// <summary>A slow upper-caser: sleeps, then tr a-z A-Z.</summary>
    private static readonly string[] SlowUpper = ["--", "sh", "-c", "sleep 0.5; tr a-z A-Z"];

    protected Task<ServeServer> StartAsync(params string[] args) =>
        ServeServer.StartAsync(env, [.. RunnerArgs, "--healthcheck-interval", "0", .. args], baseline: Baseline);

    protected Task<ServeServer> StartAsync(IReadOnlyDictionary<string, string> extraEnv, params string[] args) =>
        ServeServer.StartAsync(env, [.. RunnerArgs, "--healthcheck-interval", "0", .. args], extraEnv, Baseline);

    [Fact]
    public async Task Cat_echoes_the_body_with_200_and_a_duration()
    {
        using var server = await StartAsync(extraEnv: new Dictionary<string, string> { ["fprocess"] = "cat" });
        using var response = await server.PostAsync("/", "hello function");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello function", await response.Content.ReadAsStringAsync());
        var duration = double.Parse(response.Headers.GetValues("X-Duration-Seconds").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(duration, 0.0000001, 10);
    }

    [Fact]
    public async Task Tr_upper_cases_on_any_path_and_method_and_sets_the_content_type()
    {
        using var server = await StartAsync("--fprocess", "tr a-z A-Z", "--content-type", "text/x-shout");
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Get })
        {
            using var request = new HttpRequestMessage(method, "/some/path?x=1") { Content = new StringContent("shout " + method) };
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("SHOUT " + method.Method.ToUpperInvariant(), await response.Content.ReadAsStringAsync());
            Assert.Equal("text/x-shout", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task The_request_becomes_Http_variables()
    {
        using var server = await StartAsync("--fprocess", "env");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/a/b?q=1&r=two") { Content = new StringContent("12345") };
        request.Headers.Add("X-Call-Id", "call-7");
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        using var response = await server.Client.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        string[] expected = ["Http_Method=POST", "Http_Path=/a/b", "Http_Query=q=1&r=two", "Http_X_Call_Id=call-7", "Http_Content_Type=text/plain",
            "Http_ContentLength=5", "Http_Content_Length=5", $"Http_Host=127.0.0.1:{server.Port}"];
        Assert.All(expected, variable => Assert.Contains(variable, lines));
        Assert.DoesNotContain(lines, l => l.StartsWith("Http_Transfer_Encoding=", StringComparison.Ordinal));

        // A body of unknown length arrives chunked.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StreamContent(new UnknownLengthStream("abc"u8.ToArray())) };
        using var chunkedResponse = await server.Client.SendAsync(chunked);
        var chunkedLines = (await chunkedResponse.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("Http_Transfer_Encoding=chunked", chunkedLines);
        Assert.Contains("Http_ContentLength=-1", chunkedLines);
        Assert.Contains("Http_Content_Length=-1", chunkedLines);

        // No body at all: 0, as the classic watchdog says it (the of-watchdog has no variable then).
        using var get = await server.Client.GetAsync("/");
        Assert.Contains("Http_Content_Length=0", (await get.Content.ReadAsStringAsync()).Split('\n'));
    }

    [Theory]
    [InlineData("streaming")]
    [InlineData("serializing")]
    public async Task The_content_type_is_application_octet_stream_unless_content_type_sets_it(string mode)
    {
        using var server = await StartAsync("--mode", mode, "--fprocess", "cat");
        using var response = await server.Client.PostAsync("/", new StringContent("text", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.ToString()); // the of-watchdog's, not the request's
    }

    [Fact]
    public async Task Head_and_options_run_the_function_as_the_of_watchdog_does_and_the_health_endpoints_take_get_only()
    {
        using var server = await StartAsync("--", "sh", "-c", "echo ran $Http_Method >&2; echo $Http_Method");
        using (var options = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/")))
        {
            Assert.Equal(HttpStatusCode.OK, options.StatusCode);
            Assert.Equal("OPTIONS\n", await options.Content.ReadAsStringAsync());
        }
        using (var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        await AssertEventually(() => server.Stderr.Contains("] ran HEAD\n"), "HEAD did not run the function");

        foreach (var path in (string[])["/_/health", "/_/ready"])
        {
            using var post = await server.Client.PostAsync(path, new StringContent(""));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
            Assert.Equal("GET", post.Content.Headers.Allow.Single());
        }
        using var ready = await server.Client.GetAsync("/_/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Empty(await ready.Content.ReadAsStringAsync()); // the of-watchdog's: an empty 200
    }

    [Fact]
    public async Task Serializing_mode_answers_a_failing_function_with_500_and_its_error_text()
    {
        using var server = await StartAsync("--mode", "serializing", "--", "sh", "-c", "echo partial; echo it broke >&2; exit 3");
        using var response = await server.PostAsync("/", "");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("exit status 3", body);
        Assert.Contains("it broke", body);
        Assert.DoesNotContain("partial", body);
        Assert.True(response.Headers.Contains("X-Duration-Seconds"), "serializing mode times its error answers too, as the of-watchdog");
    }

    [Fact]
    public async Task Streaming_mode_answers_a_function_that_fails_before_any_output_with_500()
    {
        using var server = await StartAsync("--", "sh", "-c", "exit 4");
        using var response = await server.PostAsync("/", "");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("exit status 4", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Combine_output_puts_stderr_in_the_response()
    {
        using var server = await StartAsync("--combine-output", "--", "sh", "-c", "echo to-out; sleep 0.1; echo to-err >&2");
        using var response = await server.PostAsync("/", "");
        Assert.Equal("to-out\nto-err\n", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain("] to-err", server.Stderr); // not logged as well
    }

    [Fact]
    public async Task Exec_timeout_answers_504_in_time_and_leaves_no_process()
    {
        using var server = await StartAsync("--exec-timeout", "1s", "--", "sleep", "30");
        var watch = Stopwatch.StartNew();
        using var response = await server.PostAsync("/", "");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 5);
        await AssertEventually(() => server.Descendants("sleep").Count == 0, "a sleep outlived its timeout");
    }

    [Fact]
    public async Task Exec_timeout_0_is_no_limit()
    {
        using var server = await StartAsync("--exec-timeout", "0", "--", "sh", "-c", "sleep 1; echo finished");
        using var response = await server.PostAsync("/", "");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("finished\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task X_Timeout_shortens_the_exec_timeout_but_never_lengthens_it()
    {
        using var server = await StartAsync("--exec-timeout", "2s", "--", "sleep", "30");
        var watch = Stopwatch.StartNew();
        using var shorter = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("") };
        shorter.Headers.Add("X-Timeout", "300ms");
        using var response = await server.Client.SendAsync(shorter);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.25, 1.9);

        watch.Restart();
        using var longer = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("") };
        longer.Headers.Add("X-Timeout", "60s");
        using var capped = await server.Client.SendAsync(longer);
        Assert.Equal(HttpStatusCode.GatewayTimeout, capped.StatusCode);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.9, 6);
    }

    [Theory]
    [InlineData(0, "streaming")]
    [InlineData(1 << 20, "streaming")]
    [InlineData(50 << 20, "streaming")]
    [InlineData(0, "serializing")]
    [InlineData(50 << 20, "serializing")]
    public async Task Bodies_round_trip_byte_exact(int size, string mode)
    {
        using var server = await StartAsync("--mode", mode, "--exec-timeout", "60s", "--fprocess", "cat");
        var dir = Env.NewDir("bodies");
        var (sent, received) = (Path.Combine(dir, "sent"), Path.Combine(dir, "received"));
        var body = new byte[size];
        new Random(size).NextBytes(body);
        await File.WriteAllBytesAsync(sent, body);
        Assert.Equal(200, await server.CurlPostAsync("/", sent, received));
        var back = await File.ReadAllBytesAsync(received);
        Assert.Equal(size, back.Length);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(back));
    }

    [Fact]
    public async Task Max_inflight_refuses_with_429_past_the_limit_and_loses_nothing()
    {
        using var server = await StartAsync(["--max-inflight", "8", .. SlowUpper]);
        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var response = await server.PostAsync("/", $"client {i}");
            var internalHeader = response.Headers.TryGetValues("X-OpenFaaS-Internal", out var v) ? v.Single() : null;
            return (i, response.StatusCode, Body: await response.Content.ReadAsStringAsync(), internalHeader);
        }));
        var ok = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(64, ok.Count + refused.Count);
        Assert.InRange(ok.Count, 8, 56);
        Assert.NotEmpty(refused);
        Assert.All(ok, r => Assert.Equal($"CLIENT {r.i}", r.Body));
        Assert.All(refused, r => Assert.Equal("of-watchdog", r.internalHeader));
        Assert.Equal(ok.Count, await server.MetricAsync("http_requests_total{code=\"200\",method=\"post\"}"));
        Assert.Equal(refused.Count, await server.MetricAsync("http_requests_total{code=\"429\",method=\"post\"}"));
    }

    [Fact]
    public async Task Ready_says_429_at_max_inflight()
    {
        // Slow enough that the request is still in flight when /_/ready is asked on a loaded machine.
        using var server = await StartAsync("--max-inflight", "1", "--", "sh", "-c", "sleep 3; tr a-z A-Z");
        var slow = server.PostAsync("/", "x");
        await AssertEventually(async () => (await server.MetricAsync("http_requests_in_flight")) == 1, "the request never got in flight");
        using (var ready = await server.Client.GetAsync("/_/ready"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, ready.StatusCode);
        }
        using var done = await slow;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        using var readyAgain = await server.Client.GetAsync("/_/ready");
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
    }

    [Fact]
    public async Task Health_ready_lock_file_and_metrics_count_what_was_sent()
    {
        using var server = await StartAsync("--fprocess", "cat");
        Assert.True(File.Exists(server.LockFile));
        using (var health = await server.Client.GetAsync("/_/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        using (var unknown = await server.Client.GetAsync("/_/nothing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        for (var i = 0; i < 3; i++)
        {
            (await server.PostAsync("/", "p")).Dispose();
        }
        for (var i = 0; i < 2; i++)
        {
            (await server.Client.GetAsync("/")).Dispose();
        }
        Assert.Equal(3, await server.MetricAsync("http_requests_total{code=\"200\",method=\"post\"}"));
        Assert.Equal(2, await server.MetricAsync("http_requests_total{code=\"200\",method=\"get\"}"));
        Assert.Equal(3, await server.MetricAsync("http_request_duration_seconds_count{code=\"200\",method=\"post\"}"));
        Assert.Equal(3, await server.MetricAsync("http_request_duration_seconds_bucket{code=\"200\",method=\"post\",le=\"+Inf\"}"));
        Assert.Equal(0, await server.MetricAsync("http_requests_in_flight"));
        var starts = await server.MetricAsync("runf_starts_total{kind=\"cold\"}") + await server.MetricAsync("runf_starts_total{kind=\"prewarmed\"}");
        Assert.Equal(5, starts);
        await CheckStartsAsync(server, 5);
    }

    /// <summary>How the starts split into cold and prewarmed for this runner.</summary>
    protected virtual async Task CheckStartsAsync(ServeServer server, int total) =>
        Assert.Equal(total, await server.MetricAsync("runf_starts_total{kind=\"cold\"}"));

    [Fact]
    public async Task Sigterm_fails_readiness_refuses_new_requests_drains_in_flight_requests_then_exits_0()
    {
        // The requests outlast healthcheck_interval, so they finish while new ones are refused.
        using var server = await ServeServer.StartAsync(env, [.. RunnerArgs, "--healthcheck-interval", "1s", "--write-timeout", "10s", "--", "sh", "-c", "sleep 2.5; tr a-z A-Z"], baseline: Baseline);
        var inFlight = Enumerable.Range(0, 6).Select(i => server.PostAsync("/", $"drain {i}")).ToList();
        await AssertEventually(async () => (await server.MetricAsync("http_requests_in_flight")) == 6, "the requests never got in flight");
        server.Terminate();
        await AssertEventually(() => !File.Exists(server.LockFile), "the lock file stayed");
        using (var ready = await server.Client.GetAsync("/_/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        await AssertEventually(() => RefusedAsync(server), "still serving after healthcheck_interval");
        Assert.All(inFlight, request => Assert.False(request.IsCompleted, "a request finished before new ones were refused: the test proves no drain"));
        for (var i = 0; i < inFlight.Count; i++)
        {
            using var response = await inFlight[i];
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"DRAIN {i}", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.False(File.Exists(server.LockFile));
    }

    /// <summary>Whether a new request is refused as the drain refuses it (readiness alone fails earlier).</summary>
    private static async Task<bool> RefusedAsync(ServeServer server)
    {
        using var fresh = new HttpClient();
        using var health = await fresh.GetAsync($"http://127.0.0.1:{server.Port}/_/health");
        return health.StatusCode == HttpStatusCode.ServiceUnavailable
            && (await health.Content.ReadAsStringAsync()).StartsWith("runf serve is shutting down", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_cuts_what_outlives_write_timeout_and_kills_its_function()
    {
        using var server = await ServeServer.StartAsync(env, [.. RunnerArgs, "--healthcheck-interval", "0", "--write-timeout", "1s", "--exec-timeout", "60s", "--", "sleep", "30"], baseline: Baseline);
        var stuck = server.PostAsync("/", "");
        await AssertEventually(() => server.Descendants("sleep").Count == 1, "the function never started");
        var watch = Stopwatch.StartNew();
        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.5, 5);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => stuck);
        await AssertEventually(() => server.Descendants("sleep").Count == 0 && Runf.ChildrenOf(server.Pid).Count == 0, "a function outlived runf serve");
    }

    [Fact]
    public async Task Function_stderr_goes_to_the_log_with_the_request_id_on_every_line()
    {
        using var server = await StartAsync("--log-buffer-size", "4096", "--", "sh", "-c", "echo first words >&2; head -c 10000 /dev/zero | tr '\\0' x >&2; echo done");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("") };
        request.Headers.Add("X-Call-Id", "log-test");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal("done\n", await response.Content.ReadAsStringAsync());
        await AssertEventually(() => server.Stderr.Count(c => c == 'x') >= 10000, "the long stderr line did not reach the log");
        var lines = server.Stderr.Split('\n');
        Assert.Contains("[log-test] first words", lines);
        var xLines = lines.Where(l => l.Contains("xxx", StringComparison.Ordinal)).ToList();
        Assert.True(xLines.Count >= 3, $"a 10000-character line should be split, got {xLines.Count} lines");
        Assert.All(xLines, l => Assert.Matches("^\\[log-test\\] x+$", l));
        Assert.Equal(10000, xLines.Sum(l => l.Length - "[log-test] ".Length));
        Assert.All(xLines, l => Assert.True(l.Length <= 4096 + "[log-test] ".Length));
    }

    [Fact]
    public async Task Prefix_logs_false_logs_the_functions_lines_as_they_are()
    {
        using var server = await StartAsync(new Dictionary<string, string> { ["prefix_logs"] = "false" }, "--", "sh", "-c", "echo '{\"level\":\"info\"}' >&2");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("") };
        request.Headers.Add("X-Call-Id", "no-prefix");
        (await server.Client.SendAsync(request)).Dispose();
        await AssertEventually(() => server.Stderr.Contains("\n{\"level\":\"info\"}\n"), "the line did not reach the log as it was written");
        Assert.DoesNotContain("[no-prefix]", server.Stderr);
    }

    internal static Task AssertEventually(Func<bool> condition, string message) => AssertEventually(() => Task.FromResult(condition()), message);

    internal static async Task AssertEventually(Func<Task<bool>> condition, string message)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), message);
            await Task.Delay(20);
        }
    }

    /// <summary>A body whose length HttpClient cannot know: sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

[Collection(RunfCollection.Name)]
public sealed class ServeProcessRunnerTests(TestEnvironment env) : ServeTests(env)
{
    protected override string[] RunnerArgs => [];

    protected override string? Baseline => "process";

    /// <summary>The runf runner refuses such a function at start-up (ServeContainerTests).</summary>
    [Fact]
    public async Task A_function_that_cannot_start_is_a_500_naming_it()
    {
        using var server = await StartAsync("--fprocess", "no-such-function");
        using var response = await server.PostAsync("/", "");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("no-such-function", await response.Content.ReadAsStringAsync());
    }
}

[Collection(RunfCollection.Name)]
public sealed class ServeRunfRunnerTests(TestEnvironment env) : ServeTests(env)
{
    protected override string[] RunnerArgs => ["--rootfs", Env.Rootfs];
}

[Collection(RunfCollection.Name)]
public sealed class ServePrewarmedRunnerTests(TestEnvironment env) : ServeTests(env)
{
    protected override string[] RunnerArgs => ["--rootfs", Env.Rootfs, "--prewarm", "2"];

    /// <summary>With containers started ahead, requests after the first are served warm.</summary>
    protected override async Task CheckStartsAsync(ServeServer server, int total) =>
        Assert.True(await server.MetricAsync("runf_starts_total{kind=\"prewarmed\"}") >= 1, "no start was prewarmed");
}
