using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// mode=http through the real binary: busybox httpd, started once in one function container, is
/// the function's server, with a static file and CGI scripts in a directory bound at /mnt.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ServeHttpModeTests(TestEnvironment env)
{
    private const string Index = "hello from a static file\n";

    /// <summary>A CGI script that answers 201 with what it was given: method, query, headers as CGI variables, body.</summary>
    private const string EchoCgi = """
        #!/bin/sh
        printf 'HTTP/1.1 201 Created\r\nContent-Type: text/x-echo\r\nX-Method: %s\r\nConnection: close\r\n\r\n' "$REQUEST_METHOD"
        echo "method=$REQUEST_METHOD"
        echo "query=$QUERY_STRING"
        echo "length=$CONTENT_LENGTH"
        echo "host=$HTTP_HOST"
        echo "xff=$HTTP_X_FORWARDED_FOR"
        echo "custom=$HTTP_X_CUSTOM"
        echo "hop=$HTTP_X_HOP"
        echo "secret=$AGENT_SECRET"
        echo "settings=$fprocess$mode$upstream_url$exec_timeout"
        echo "body=$(cat)"
        """;

    private static readonly (string Name, string Script)[] Scripts =
    [
        ("echo.cgi", EchoCgi),
        ("count.cgi", "#!/bin/sh\nn=$(wc -c)\necho \"count.cgi got $n of $CONTENT_LENGTH bytes\" >&2\nprintf 'Content-Type: text/plain\\r\\n\\r\\ncounted\\n'\n"),
        ("sha256.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nsha256sum\n"),
        ("lines.cgi", "#!/bin/sh\nwhile read line; do echo \"the script got: $line\" >&2; done\nprintf 'Content-Type: text/plain\\r\\n\\r\\ndone\\n'\n"),
        ("stream.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\necho first\nsleep 2\necho second\n"),
        ("probe.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\ntouch /written-by-the-server 2>&1\n"),
        ("slow.cgi", "#!/bin/sh\nsleep ${QUERY_STRING:-3}\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslept %s\\n' \"${QUERY_STRING:-3}\"\n"),
    ];

    /// <summary>The directory httpd serves (/mnt in the container): index.html and cgi-bin/.</summary>
    private string Site()
    {
        var site = env.NewDir("site");
        File.WriteAllText(Path.Combine(site, "index.html"), Index);
        var cgi = Path.Combine(site, "cgi-bin");
        Directory.CreateDirectory(cgi);
        File.SetUnixFileMode(cgi, (UnixFileMode)0x1ed);
        foreach (var (name, script) in Scripts)
        {
            var path = Path.Combine(cgi, name);
            File.WriteAllText(path, script.Replace("\r\n", "\n") + "\n");
            File.SetUnixFileMode(path, (UnixFileMode)0x1ed);
        }
        return site;
    }

    /// <summary>
    /// runf serve in mode=http with busybox httpd on a free port as the function's server, serving
    /// a fresh Site(); server replaces httpd's command (UPSTREAM in it is the port).
    /// </summary>
    private async Task<(ServeServer Server, int Upstream, string Site)> StartAsync(string[] args, string[]? server = null, IReadOnlyDictionary<string, string>? extraEnv = null, bool untilReady = true)
    {
        var upstream = ServeServer.FreePort();
        var site = Site();
        string[] command = server ?? ["httpd", "-f", "-p", "127.0.0.1:UPSTREAM", "-h", "/mnt"];
        var started = await ServeServer.StartAsync(env,
            ["--rootfs", env.Rootfs, "--mode", "http", "--upstream-url", $"http://127.0.0.1:{upstream}", "--bind", site + ":/mnt",
             "--healthcheck-interval", "0", "--stop-timeout", "2s", .. args, "--", .. command.Select(a => a.Replace("UPSTREAM", $"{upstream}"))],
            extraEnv, untilReady: untilReady);
        return (started, upstream, site);
    }

    [Fact]
    public async Task A_static_file_and_a_CGI_script_are_served_with_their_status_headers_and_bodies()
    {
        var (server, _, _) = await StartAsync([], extraEnv: new Dictionary<string, string> { ["AGENT_SECRET"] = "from-the-agent" });
        using var _ = server;
        Assert.Contains("(http, its server at http://127.0.0.1:", server.Stderr);

        using (var file = await server.Client.GetAsync("/index.html"))
        {
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(Index, await file.Content.ReadAsStringAsync());
            Assert.Equal("text/html", file.Content.Headers.ContentType!.MediaType);
            Assert.Equal(Index.Length, file.Content.Headers.ContentLength);
            Assert.True(file.Headers.Contains("ETag"), "the server's own headers pass");
            Assert.True(file.Headers.Contains("X-Duration-Seconds"));
            // httpd closes every connection (Connection: close): that describes its connection, not the client's.
            Assert.NotEqual(true, file.Headers.ConnectionClose);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/cgi-bin/echo.cgi?a=1&b=two") { Content = new StringContent("the body") };
        request.Headers.Add("X-Custom", "custom value");
        request.Headers.Add("X-Hop", "for this connection only");
        request.Headers.Connection.Add("X-Hop");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("POST", response.Headers.GetValues("X-Method").Single());
        Assert.Equal("text/x-echo", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("method=POST", lines);
        Assert.Contains("query=a=1&b=two", lines);
        Assert.Contains("length=8", lines);
        Assert.Contains($"host=127.0.0.1:{server.Port}", lines); // the client's Host, as the of-watchdog forwards it
        Assert.Contains("xff=127.0.0.1", lines);
        Assert.Contains("custom=custom value", lines);
        Assert.Contains("hop=", lines); // named in Connection: hop-by-hop, not forwarded
        Assert.Contains("secret=from-the-agent", lines); // the agent's environment reaches the function
        Assert.Contains("settings=", lines); // runf serve's own settings do not
        Assert.Contains("body=the body", lines);

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/index.html"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Index.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var missing = await server.Client.GetAsync("/no-such-file");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Bodies_stream_both_ways()
    {
        var (server, _, site) = await StartAsync([]);
        using var _ = server;

        // The answer's first line arrives while the script still sleeps before its second.
        var watch = Stopwatch.StartNew();
        using var streamed = await server.Client.GetAsync("/cgi-bin/stream.cgi", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await streamed.Content.ReadAsStreamAsync());
        Assert.Equal("first", await reader.ReadLineAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.8), $"the first line took {watch.Elapsed}: the answer was not streamed");
        Assert.Equal("second", await reader.ReadLineAsync());
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.9));

        // The request's body reaches the server as it arrives: its first line is read (and logged) while the client still sends.
        var rest = new TaskCompletionSource();
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/cgi-bin/lines.cgi") { Content = new PacedContent("first line\n", "second line\n", rest.Task) };
        var uploaded = server.Client.SendAsync(upload);
        await AssertEventually(() => server.Stderr.Contains("stderr: the script got: first line"), "the first line did not reach the server before the body ended");
        Assert.False(uploaded.IsCompleted);
        rest.SetResult();
        using (var done = await uploaded)
        {
            Assert.Equal("done\n", await done.Content.ReadAsStringAsync());
        }
        // The script's stderr reaches the log through httpd's, on its own path: it may follow the answer.
        await AssertEventually(() => server.Stderr.Contains("stderr: the script got: second line"), "the second line did not reach the server");

        // 8 MiB each way, byte-exact.
        var body = new byte[8 << 20];
        new Random(8).NextBytes(body);
        using (var hashed = await server.Client.PostAsync("/cgi-bin/sha256.cgi", new ByteArrayContent(body)))
        {
            Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(body)), await hashed.Content.ReadAsStringAsync());
        }
        File.WriteAllBytes(Path.Combine(site, "big.bin"), body);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(await server.Client.GetByteArrayAsync("/big.bin")));
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_408_and_never_reaches_the_server_as_a_whole_one()
    {
        var (server, _, _) = await StartAsync(["--read-timeout", "1s"]);
        using var _ = server;
        using var connection = await RawHttpConnection.OpenAsync(server.Port);
        await connection.SendPostAsync(100_000, "6bytes", "/cgi-bin/count.cgi");
        var (text, _, elapsed) = await connection.ReadToEndAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 408 ", text);
        Assert.Contains("the request body stopped arriving: nothing for 1s (read_timeout)", text);
        Assert.Contains("Connection: close", text);
        Assert.InRange(elapsed.TotalSeconds, 0.9, 5);
        // The request to the server was aborted inside the length it announced: the script knows it got 6 of 100000.
        await AssertEventually(() => server.Stderr.Contains("count.cgi got 6 of 100000 bytes"), "the server did not see the request broken off");
    }

    [Fact]
    public async Task Buffer_http_sends_a_chunked_body_with_its_length_and_refuses_one_past_max_response_size()
    {
        // busybox httpd, as WSGI servers, does not read chunked bodies: it hands the CGI script the chunks' framing.
        var (plain, _, _) = await StartAsync([]);
        using (plain)
        {
            var lines = await PostChunkedAsync(plain, "/cgi-bin/echo.cgi", "chunked body");
            Assert.Contains("length=", lines);
            Assert.DoesNotContain("body=chunked body", lines);
        }

        var (buffered, _, _) = await StartAsync(["--buffer-http", "--max-response-size", "64k"]);
        using (buffered)
        {
            var lines = await PostChunkedAsync(buffered, "/cgi-bin/echo.cgi", "chunked body");
            Assert.Contains("length=12", lines);
            Assert.Contains("body=chunked body", lines);

            using var tooBig = await buffered.PostAsync("/cgi-bin/echo.cgi", new string('x', 65 * 1024));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
            Assert.Contains("max_response_size (64 KiB)", await tooBig.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_server_that_dies_is_restarted_its_requests_in_flight_get_502_and_the_next_ones_its_successor()
    {
        var (server, _, _) = await StartAsync([]);
        using var _ = server;
        var inFlight = server.Client.GetAsync("/cgi-bin/slow.cgi?5");
        await AssertEventually(() => server.Descendants("sleep").Count == 1, "the slow request never reached the script");
        var first = MainHttpd(server);
        Runf.Signal(first, 9);

        using (var failed = await inFlight)
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
            Assert.Equal("of-watchdog", failed.Headers.GetValues("X-OpenFaaS-Internal").Single());
            Assert.StartsWith("the function's server did not answer", await failed.Content.ReadAsStringAsync());
        }
        await AssertEventually(() => server.Stderr.Contains("the function's server exited with status 137"), "the death was not logged");
        await AssertEventually(async () => (await server.Client.GetAsync("/_/health")).StatusCode == HttpStatusCode.OK, "not healthy again");
        using var after = await server.Client.GetAsync("/index.html");
        Assert.Equal(Index, await after.Content.ReadAsStringAsync());
        Assert.NotEqual(first, MainHttpd(server));
        Assert.Equal(1, await server.MetricAsync("runf_server_restarts_total"));
    }

    [Fact]
    public async Task Exec_timeout_is_504_the_server_keeps_running_and_a_response_that_started_is_cut()
    {
        var (server, _, _) = await StartAsync(["--exec-timeout", "1s"]);
        using var _ = server;
        var watch = Stopwatch.StartNew();
        using (var slow = await server.Client.GetAsync("/cgi-bin/slow.cgi?4"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
            Assert.Equal("function timed out after 1s\n", await slow.Content.ReadAsStringAsync());
            Assert.True(slow.Headers.Contains("X-Duration-Seconds"));
        }
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 3);

        using var shorter = new HttpRequestMessage(HttpMethod.Get, "/cgi-bin/slow.cgi?4");
        shorter.Headers.Add("X-Timeout", "300ms");
        watch.Restart();
        using (var cut = await server.Client.SendAsync(shorter))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, cut.StatusCode);
        }
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.25, 0.9);

        // Headers and the first line went out before the timeout: the client must see the answer incomplete.
        using var streamed = await server.Client.GetAsync("/cgi-bin/stream.cgi", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => streamed.Content.ReadAsStringAsync());

        using var still = await server.Client.GetAsync("/index.html");
        Assert.Equal(Index, await still.Content.ReadAsStringAsync());
        Assert.Equal(0, await server.MetricAsync("runf_server_restarts_total"));
    }

    [Fact]
    public async Task Max_inflight_refuses_past_the_limit_and_ready_says_429()
    {
        var (server, _, _) = await StartAsync(["--max-inflight", "2"]);
        using var _ = server;
        var slow = Enumerable.Range(0, 2).Select(_ => server.Client.GetAsync("/cgi-bin/slow.cgi?2")).ToList();
        await AssertEventually(async () => await server.MetricAsync("http_requests_in_flight") == 2, "the requests never got in flight");
        using (var refused = await server.Client.GetAsync("/index.html"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("of-watchdog", refused.Headers.GetValues("X-OpenFaaS-Internal").Single());
            Assert.Equal("text/plain", refused.Content.Headers.ContentType!.ToString());
        }
        using (var ready = await server.Client.GetAsync("/_/ready"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, ready.StatusCode);
        }
        foreach (var request in slow)
        {
            using var response = await request;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Health_and_ready_fail_until_the_server_is_up_and_a_request_waits_for_it()
    {
        var (server, upstream, _) = await StartAsync([], ["sh", "-c", "sleep 2; exec httpd -f -p 127.0.0.1:UPSTREAM -h /mnt"], untilReady: false);
        using var _ = server;
        using (var health = await server.Client.GetAsync("/_/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("not ready: the function's server is not up\n", await health.Content.ReadAsStringAsync());
        }
        using (var ready = await server.Client.GetAsync("/_/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        Assert.False(File.Exists(server.LockFile), "the lock file was written before the server was up");

        var watch = Stopwatch.StartNew();
        using (var early = await server.Client.GetAsync("/index.html"))
        {
            Assert.Equal(HttpStatusCode.OK, early.StatusCode);
            Assert.Equal(Index, await early.Content.ReadAsStringAsync());
        }
        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(0.5), "the request did not wait for the server");
        using (var health = await server.Client.GetAsync("/_/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        using (var ready = await server.Client.GetAsync("/_/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Empty(await ready.Content.ReadAsStringAsync());
        }
        Assert.True(File.Exists(server.LockFile));
        Assert.Contains($"127.0.0.1:{upstream} accepts connections", server.Stderr);
    }

    [Fact]
    public async Task Sigterm_drains_the_requests_in_flight_then_stops_the_server_and_leaves_nothing()
    {
        var (server, _, _) = await StartAsync(["--write-timeout", "10s"]);
        using var _ = server;
        var inFlight = Enumerable.Range(0, 3).Select(_ => server.Client.GetAsync("/cgi-bin/slow.cgi?2")).ToList();
        await AssertEventually(() => server.Descendants("sleep").Count == 3, "the requests never reached the script");
        var container = ContainerOf(server);
        server.Terminate();
        foreach (var request in inFlight)
        {
            using var response = await request;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("slept 2\n", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
        // runf-init is PID 1: the SIGTERM reached httpd, which died of it.
        Assert.Contains("the function's server exited with status 143", server.Stderr);
        Assert.DoesNotContain("killing it", server.Stderr);
        AssertNothingLeft(server, container);
    }

    [Fact]
    public async Task The_servers_container_has_its_limits_and_a_read_only_rootfs_and_its_cgroup_goes_at_the_end()
    {
        using var cgroup = new DelegatedCgroup();
        var (server, _, _) = await StartAsync(["--cgroup-parent", cgroup.Parent, "--memory", "64m", "--pids-limit", "64"]);
        using var _ = server;
        var container = ContainerOf(server);
        var own = Assert.Single(cgroup.Children(), dir => dir.Contains("memory", StringComparison.Ordinal) || DelegatedCgroup.V2);
        Assert.EndsWith(container, own);
        Assert.Equal(64L << 20, long.Parse(File.ReadAllText(Path.Combine(own, DelegatedCgroup.V2 ? "memory.max" : "memory.limit_in_bytes"))));
        Assert.Contains(own[(own.IndexOf(cgroup.Name, StringComparison.Ordinal) - 1)..], File.ReadAllText($"/proc/{MainHttpd(server)}/cgroup"));

        using (var probe = await server.Client.GetAsync("/cgi-bin/probe.cgi"))
        {
            Assert.Contains("Read-only file system", await probe.Content.ReadAsStringAsync());
        }
        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Empty(cgroup.Children());
        AssertNothingLeft(server, container);
    }

    [Fact]
    public async Task A_SIGKILLed_agent_takes_its_server_with_it_and_the_next_agent_sweeps_its_record()
    {
        var (server, _, _) = await StartAsync([]);
        string container;
        List<int> processes;
        using (server)
        {
            container = ContainerOf(server);
            processes = [.. server.Descendants("httpd")];
            Assert.NotEmpty(processes);
            Runf.Signal(server.Pid, 9);
            server.WaitForExit(TimeSpan.FromSeconds(10));
        }
        // The parent-death signal kills the container's PID 1, and with it the container.
        await AssertEventually(() => processes.All(pid => Runf.StateOf(pid) is null or 'Z'), "the server outlived its agent");
        Assert.True(File.Exists($"/tmp/runf-{TestEnvironment.TestUid}/{container}.json"));
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // records younger than 2 s may be a runf's that is starting
        var (next, _, _) = await StartAsync([]);
        using (next)
        {
            Assert.False(File.Exists($"/tmp/runf-{TestEnvironment.TestUid}/{container}.json"), "the dead agent's container record was not swept");
        }
    }

    [Fact]
    public async Task A_server_that_ignores_sigterm_is_killed_after_stop_timeout()
    {
        // An ignored signal stays ignored across exec: httpd inherits it.
        var (server, _, _) = await StartAsync(["--stop-timeout", "1s"], ["sh", "-c", "trap '' TERM; exec httpd -f -p 127.0.0.1:UPSTREAM -h /mnt"]);
        using var _ = server;
        var container = ContainerOf(server);
        var watch = Stopwatch.StartNew();
        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 5);
        Assert.Contains("did not exit within 1s of SIGTERM (stop_timeout): killing it", server.Stderr);
        AssertNothingLeft(server, container);
    }

    [Fact]
    public async Task The_server_may_bind_its_upstream_port_and_no_other()
    {
        var other = ServeServer.FreePort();
        var (server, _, _) = await StartAsync([], ["sh", "-c", $"httpd -f -p 127.0.0.1:{other} -h /mnt & exec httpd -f -p 127.0.0.1:UPSTREAM -h /mnt"]);
        using var _ = server;
        await AssertEventually(() => server.Stderr.Contains("bind: Permission denied"), "binding another port was not refused");
        Assert.Matches(@"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d stderr: httpd: bind: Permission denied", server.Stderr); // prefix_logs: time and stream
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, other));
        using var served = await server.Client.GetAsync("/index.html");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Something_already_on_the_upstream_port_stops_the_agent_at_start_up()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var result = await Task.Run(() => Runf.Run(env, ["serve", "--rootfs", env.Rootfs, "--mode", "http", "--upstream-url", $"http://127.0.0.1:{port}",
            "--port", $"{ServeServer.FreePort()}", "--metrics-port", $"{ServeServer.FreePort()}", "--lock-file", Path.Combine(env.NewDir("lock"), "lock"), "--", "httpd", "-f"]));
        Assert.Equal(125, result.ExitCode);
        Assert.Equal($"runf serve: something already listens on upstream_url http://127.0.0.1:{port}/: the function's requests would go to it; stop it, or give the function's server another port (upstream_url)\n", result.Stderr);
    }

    [Fact]
    public async Task Prefix_logs_false_logs_the_servers_lines_as_they_are_on_their_own_streams()
    {
        var (server, _, _) = await StartAsync(["--prefix-logs", "false"], ["sh", "-c", "echo to stdout; echo to stderr >&2; exec httpd -f -p 127.0.0.1:UPSTREAM -h /mnt"]);
        using var _ = server;
        await AssertEventually(() => server.Stdout.Split('\n').Contains("to stdout") && server.Stderr.Split('\n').Contains("to stderr"), "the server's lines did not reach the log as they were");
        Assert.DoesNotContain("to stderr", server.Stdout);
    }

    private static async Task<string[]> PostChunkedAsync(ServeServer server, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(body))) };
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split('\n');
    }

    /// <summary>The httpd that listens: the one whose parent is not an httpd (the others serve one connection each, and may be gone already).</summary>
    private static int MainHttpd(ServeServer server)
    {
        var all = server.Descendants("httpd");
        return all.Single(pid => Runf.ParentOf(pid) is var parent && parent > 0 && !all.Contains(parent));
    }

    /// <summary>The server's container, as the log names it.</summary>
    private static string ContainerOf(ServeServer server)
    {
        var match = System.Text.RegularExpressions.Regex.Match(server.Stderr, "started the function's server in container (\\S+),");
        Assert.True(match.Success, server.Stderr);
        return match.Groups[1].Value;
    }

    /// <summary>No process below the agent, and no state record of its container.</summary>
    private static void AssertNothingLeft(ServeServer server, string container)
    {
        Assert.Empty(Runf.ChildrenOf(server.Pid));
        Assert.False(File.Exists($"/tmp/runf-{TestEnvironment.TestUid}/{container}.json"), "the container's state record was left");
    }

    private static async Task AssertEventually(Func<bool> condition, string message) => await AssertEventually(() => Task.FromResult(condition()), message);

    private static async Task AssertEventually(Func<Task<bool>> condition, string message)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), message);
            await Task.Delay(20);
        }
    }

    /// <summary>A body sent in two parts: the second once go completes.</summary>
    private sealed class PacedContent(string first, string second, Task go) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            await go;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(second));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Encoding.UTF8.GetByteCount(first + second);
            return true;
        }
    }

    /// <summary>A body whose length HttpClient cannot know: sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
