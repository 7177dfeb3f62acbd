using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// Attacks on the agent itself, through the real binary: a response that would not fit in its
/// memory, a function that takes the port during the drain, spoofed request variables, a body
/// that breaks off, durations past what a TimeSpan holds, a symlink planted at the lock file.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ServeAttackTests(TestEnvironment env)
{
    /// <summary>A function that says how much of its body it got once stdin reached EOF: it must never say it after a broken body.</summary>
    private static readonly string[] CountsItsBody = ["--", "sh", "-c", "echo started; n=$(wc -c); echo \"ran on $n bytes\" >&2; echo \"ran on $n bytes\""];

    private Task<ServeServer> StartAsync(params string[] args) =>
        ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", .. args]);

    [Fact]
    public async Task A_function_writing_1_GiB_in_serializing_mode_is_killed_and_the_agent_stays_under_256_MiB()
    {
        using var server = await StartAsync("--mode", "serializing", "--exec-timeout", "60s", "--", "head", "-c", "1073741824", "/dev/zero");
        // Several in a row: the memory of one response must be released, not left to pile up.
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("") };
            // Headers first: should the agent answer with the whole GiB, the test does not hold it too.
            using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var peak = ProcessStatusKiB(server.Pid, "VmHWM");
            Assert.True(peak < 256 * 1024, $"the agent's peak RSS was {peak / 1024} MiB after {i + 1} responses");
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("function killed: its output exceeded max_response_size (64 MiB); raise it (--max-response-size) or use streaming mode\n",
                await response.Content.ReadAsStringAsync());
        }
        var kept = ProcessStatusKiB(server.Pid, "VmRSS");
        Assert.True(kept < 64 * 1024, $"the agent kept {kept / 1024} MiB after the responses");
        Assert.Empty(server.Descendants("head"));
    }

    [Theory]
    [InlineData(1 << 20, HttpStatusCode.OK)]
    [InlineData((1 << 20) + 1, HttpStatusCode.InternalServerError)]
    public async Task Max_response_size_from_the_environment_is_the_exact_bound(int size, HttpStatusCode status)
    {
        using var server = await ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", "--mode", "serializing", "--", "sh", "-c", "head -c $(cat) /dev/zero"],
            new Dictionary<string, string> { ["max_response_size"] = "1m" });
        using var response = await server.PostAsync("/", $"{size}");
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (status == HttpStatusCode.OK)
        {
            Assert.Equal(size, body.Length);
        }
        else
        {
            Assert.Contains("max_response_size (1 MiB)", System.Text.Encoding.UTF8.GetString(body));
        }
    }

    [Fact]
    public async Task OpenWhisk_mode_bounds_the_output_it_buffers_too()
    {
        // 70 MB, then a last line that is a result: without the bound, all of it is held and the result returned.
        using var server = await StartAsync("--mode", "openwhisk", "--exec-timeout", "60s", "--", "sh", "-c", "head -c 70000000 /dev/zero; echo; echo '{}'");
        using var run = await server.Client.PostAsync("/run", new StringContent("{\"value\":{}}"));
        Assert.Equal(HttpStatusCode.BadGateway, run.StatusCode);
        Assert.Contains("exceeded max_response_size (64 MiB)", await run.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_port_stays_held_and_new_requests_get_503_until_the_last_invocation_ends()
    {
        // A function still running after SIGTERM shares the agent's network namespace: were the
        // port free, it could bind it and receive the requests (and credentials) of other clients.
        using var server = await StartAsync("--write-timeout", "30s", "--", "sh", "-c", "sleep 4; echo done");
        var inFlight = server.PostAsync("/", "");
        await WaitUntilAsync(async () => await server.MetricAsync("http_requests_in_flight") == 1, "the request never got in flight");
        server.Terminate();
        await WaitUntilAsync(() => Task.FromResult(!File.Exists(server.LockFile)), "SIGTERM was not handled");

        Assert.True(CannotBind(server.Port), "the port was free while a function still ran");
        using (var fresh = new HttpClient())
        using (var refused = await fresh.PostAsync($"http://127.0.0.1:{server.Port}/", new StringContent("")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.StartsWith("runf serve is shutting down", await refused.Content.ReadAsStringAsync());
        }
        Assert.True(CannotBind(server.Port), "the port was free while a function still ran");
        Assert.False(inFlight.IsCompleted, "the invocation ended before the checks: the test proves nothing");

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.False(CannotBind(server.Port), "the port is still taken after the agent exited: the check above proves nothing");
    }

    [Fact]
    public async Task Headers_named_like_the_request_line_variables_do_not_reach_the_function()
    {
        using var server = await StartAsync("--fprocess", "env");
        foreach (var (path, query) in new[] { ("/real", "?x=1"), ("/real", "") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path + query) { Content = new StringContent("") };
            request.Headers.TryAddWithoutValidation("Method", "DELETE");
            request.Headers.TryAddWithoutValidation("Path", "/admin");
            request.Headers.TryAddWithoutValidation("Query", "admin=1");
            using var response = await server.Client.SendAsync(request);
            var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
            Assert.Equal("Http_Method=POST", Assert.Single(lines, l => l.StartsWith("Http_Method=", StringComparison.Ordinal)));
            Assert.Equal("Http_Path=/real", Assert.Single(lines, l => l.StartsWith("Http_Path=", StringComparison.Ordinal)));
            Assert.Equal(query.Length > 0 ? ["Http_Query=x=1"] : [], lines.Where(l => l.StartsWith("Http_Query=", StringComparison.Ordinal)));
        }
    }

    [Theory]
    [InlineData("streaming")]
    [InlineData("serializing")]
    public async Task A_body_that_stops_arriving_is_408_after_read_timeout_and_the_function_never_sees_its_end(string mode)
    {
        using var server = await StartAsync(["--mode", mode, "--read-timeout", "2s", "--exec-timeout", "60s", "--", "sh", "-c", "n=$(wc -c); echo \"ran on $n bytes\" >&2; echo $n"]);
        var (text, elapsed) = await SendSixOf100000BytesAsync(server, thenClose: false);
        Assert.StartsWith("HTTP/1.1 408 ", text);
        Assert.Contains("the request body stopped arriving: nothing for 2s (read_timeout)", text);
        Assert.InRange(elapsed.TotalSeconds, 1.5, 10);
        await AssertFunctionNeverSawEofAsync(server);
    }

    [Fact]
    public async Task A_body_that_stops_arriving_after_the_response_started_cuts_the_response()
    {
        using var server = await StartAsync(["--read-timeout", "2s", "--exec-timeout", "60s", .. CountsItsBody]);
        var (text, _) = await SendSixOf100000BytesAsync(server, thenClose: false);
        Assert.StartsWith("HTTP/1.1 200 ", text);
        Assert.Contains("started", text);
        Assert.False(text.EndsWith("0\r\n\r\n", StringComparison.Ordinal), $"the chunked response was completed: {text}");
        Assert.DoesNotContain("ran on", text);
        await AssertFunctionNeverSawEofAsync(server);
    }

    [Theory]
    [InlineData("streaming")]
    [InlineData("serializing")]
    public async Task A_body_cut_short_by_the_client_closing_is_never_a_success(string mode)
    {
        using var server = await StartAsync(["--mode", mode, "--exec-timeout", "60s", .. CountsItsBody]);
        var (text, _) = await SendSixOf100000BytesAsync(server, thenClose: true);
        // Kestrel takes the client's FIN for the end of the connection: nothing can be answered.
        Assert.True(text.Length == 0 || text.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), text);
        await AssertFunctionNeverSawEofAsync(server);
    }

    [Theory]
    [InlineData("Infinity")]
    [InlineData("1500h")] // past what a timer takes (49 days): refused once Duration.Parse bounds durations
    public async Task An_X_Timeout_that_is_not_a_usable_duration_is_400_with_one_line(string header)
    {
        using var server = await StartAsync("--exec-timeout", "0", "--fprocess", "cat");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("x") };
        request.Headers.Add("X-Timeout", header);
        using var response = await server.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var line = Assert.Single(body.TrimEnd('\n').Split('\n'));
        Assert.Contains($"X-Timeout \"{header}\"", line);
    }

    [Theory]
    [InlineData("symlink to a file of the agent's user")]
    [InlineData("dangling symlink")]
    [InlineData("file of another user")]
    public void A_lock_file_path_that_is_not_the_agents_own_file_is_refused_and_left_untouched(string planted)
    {
        var dir = env.NewDir("lock");
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff); // 0777, as /tmp is writable by all
        var target = Path.Combine(dir, "precious");
        var lockFile = Path.Combine(dir, "lock");
        if (planted == "file of another user")
        {
            File.WriteAllText(lockFile, "precious"); // root's, 0644
        }
        else
        {
            if (planted != "dangling symlink")
            {
                File.WriteAllText(target, "precious");
                Shell.Run("chown", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", target);
            }
            File.CreateSymbolicLink(lockFile, target);
        }
        var (port, metricsPort) = (ServeServer.FreePort(), ServeServer.FreePort());
        var result = Runf.Run(env, ["serve", "--rootfs", env.Rootfs, "--port", $"{port}", "--metrics-port", $"{metricsPort}", "--lock-file", lockFile, "--", "cat"], stdin: null, timeoutSeconds: 20);

        Assert.True(result.ExitCode == 125, result.ToString());
        var line = Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"runf serve: the lock file {lockFile} exists and is ", line);
        Assert.Contains("--lock-file", line);
        if (planted == "dangling symlink")
        {
            Assert.False(File.Exists(target), "the agent created the symlink's target");
        }
        else
        {
            Assert.Equal("precious", File.ReadAllText(planted == "file of another user" ? lockFile : target));
        }
    }

    [Fact]
    public async Task A_lock_file_left_by_an_earlier_agent_of_the_same_user_is_taken_over_and_removed_at_exit()
    {
        var dir = env.NewDir("lock");
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff);
        var lockFile = Path.Combine(dir, "lock");
        File.WriteAllText(lockFile, "");
        Shell.Run("chown", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", lockFile);
        using var server = await ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", "--lock-file", lockFile, "--", "cat"]);
        Assert.True(File.Exists(lockFile));
        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.False(File.Exists(lockFile));
    }

    /// <summary>
    /// A POST that announces 100000 bytes and sends 6, then stops (the connection stays open) or
    /// closes its side; what came back once the agent closed the connection, and when.
    /// </summary>
    private static async Task<(string Text, TimeSpan Elapsed)> SendSixOf100000BytesAsync(ServeServer server, bool thenClose)
    {
        using var connection = await RawHttpConnection.OpenAsync(server.Port);
        await connection.SendPostAsync(100_000, "abcdef");
        if (thenClose)
        {
            connection.CloseSending();
        }
        var (text, closed, elapsed) = await connection.ReadToEndAsync(TimeSpan.FromSeconds(20));
        Assert.True(closed, $"the agent kept the connection open: {text}");
        return (text, elapsed);
    }

    /// <summary>The function was killed before stdin reached EOF: it never logged what it ran on.</summary>
    private static async Task AssertFunctionNeverSawEofAsync(ServeServer server)
    {
        await WaitUntilAsync(() => Task.FromResult(server.Stderr.Contains("function killed") || server.Stderr.Contains("client went away")), "the agent did not log the broken body");
        await Task.Delay(500); // a function that did see EOF logs at once
        Assert.DoesNotContain("] ran on", server.Stderr); // "[request id] ": the function's line, not the ready line's command
        Assert.Empty(server.Descendants("wc"));
    }

    private static bool CannotBind(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
    }

    /// <summary>A size line of /proc/PID/status (VmHWM: the peak resident set, VmRSS: the current one), in KiB.</summary>
    private static long ProcessStatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string message)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), message);
            await Task.Delay(20);
        }
    }
}
