using System.Net;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>runf serve's command line through the real runf: help, bad settings; runf-serve-baselines' own, and its bwrap baseline.</summary>
[Collection(RunfCollection.Name)]
public sealed class ServeConfigurationTests(TestEnvironment env)
{
    [Fact]
    public void Help_is_runf_serves_own()
    {
        var result = Runf.Run(env, "serve", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage: runf serve", result.Stdout);
        Assert.Contains("--exec-timeout DURATION", result.Stdout);
        Assert.Contains("[$exec_timeout]", result.Stdout);
    }

    [Fact]
    public void Runf_help_lists_serve()
    {
        var result = Runf.Run(env, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("serve", result.Stdout);
    }

    [Theory]
    [InlineData("no function to run", "fprocess", new string[0], null)]
    [InlineData("invalid exec_timeout \"soon\"", "--exec-timeout", new[] { "--exec-timeout", "soon", "--", "cat" }, null)]
    [InlineData("invalid exec_timeout \"soon\"", "$exec_timeout", new[] { "--", "cat" }, "exec_timeout=soon")]
    [InlineData("invalid exec_timeout \"Infinity\"", "--exec-timeout", new[] { "--exec-timeout", "Infinity", "--", "cat" }, null)]
    [InlineData("invalid exec_timeout \"Infinity\"", "$exec_timeout", new[] { "--", "cat" }, "exec_timeout=Infinity")]
    [InlineData("invalid write_timeout \"1500h\"", "--write-timeout", new[] { "--write-timeout", "1500h", "--", "cat" }, null)] // past a timer's 49 days: refused once Duration.Parse bounds durations
    [InlineData("invalid max_response_size \"0\"", "--max-response-size", new[] { "--max-response-size", "0", "--", "cat" }, null)]
    [InlineData("invalid mode \"knative\"", "streaming, serializing, http, openwhisk", new[] { "--mode", "knative", "--", "cat" }, null)]
    [InlineData("invalid upstream_url \"https://127.0.0.1:8082\"", "expected http://HOST:PORT", new[] { "--mode", "http", "--", "cat" }, "upstream_url=https://127.0.0.1:8082")]
    [InlineData("upstream_url http://127.0.0.1:9000/ uses port 9000, which is runf serve's port", "a port of its own", new[] { "--mode", "http", "--port", "9000", "--upstream-url", "http://127.0.0.1:9000", "--", "cat" }, null)]
    [InlineData("--prewarm does not apply to mode=http", "remove it", new[] { "--mode", "http", "--prewarm", "1", "--", "cat" }, null)]
    [InlineData("invalid port \"70000\"", "1 to 65535", new[] { "--port", "70000", "--", "cat" }, null)]
    [InlineData("invalid max_inflight \"-1\"", "0 or more", new[] { "--", "cat" }, "max_inflight=-1")]
    [InlineData("port and metrics_port are both 9000", "--metrics-port", new[] { "--port", "9000", "--metrics-port", "9000", "--", "cat" }, null)]
    [InlineData("unknown option --runner", "runf-serve-baselines --runner process|bwrap", new[] { "--runner", "process", "--", "cat" }, null)]
    [InlineData("unknown option --bogus", "runf serve --help", new[] { "--bogus", "--", "cat" }, null)]
    [InlineData("rootfs /nonexistent does not exist", "--rootfs", new[] { "--rootfs", "/nonexistent", "--", "cat" }, null)]
    [InlineData("invalid listen \"localhost:80\"", "an IP address such as 127.0.0.1", new[] { "--listen", "localhost:80", "--", "cat" }, null)]
    [InlineData("invalid --cgroup-parent \"/sys/fs/cgroup/memory/fn\"", "pass /fn", new[] { "--rootfs", "rootfs", "--cgroup-parent", "/sys/fs/cgroup/memory/fn", "--memory", "64m", "--", "cat" }, null)]
    [InlineData("invalid --bind \"/nonexistent:/mnt\"", "does not exist", new[] { "--rootfs", "rootfs", "--bind", "/nonexistent:/mnt", "--", "cat" }, null)]
    [InlineData("invalid fn_fn_id \"a/b\" (--fn-fn-id)", "letters, digits", new[] { "--mode", "fn", "--fn-fn-id", "a/b", "--", "node", "func.js" }, null)]
    public async Task Bad_configuration_is_one_line_naming_the_setting_and_exit_125(string what, string fix, string[] args, string? variable)
    {
        var extraEnv = new Dictionary<string, string>();
        if (variable is not null)
        {
            extraEnv[variable.Split('=')[0]] = variable.Split('=')[1];
        }
        using var process = Runf.Start(env, ["serve", .. args], extraEnv);
        await AssertRefusedAsync(process, "runf serve", args, what, fix);
    }

    [Theory]
    [InlineData("no runner", "--runner process", new[] { "--", "cat" })]
    [InlineData("invalid runner \"runf\"", "process or bwrap", new[] { "--runner", "runf", "--", "cat" })]
    [InlineData("--memory works only with runf serve", "the process runner", new[] { "--runner", "process", "--memory", "64m", "--", "cat" })]
    [InlineData("--prewarm works only with runf serve", "the bwrap runner", new[] { "--runner", "bwrap", "--prewarm", "2", "--", "cat" })]
    [InlineData("--seccomp works only with runf serve", "remove it", new[] { "--runner", "process", "--seccomp", "unconfined", "--", "cat" })]
    [InlineData("rootfs /nonexistent does not exist", "--rootfs", new[] { "--runner", "bwrap", "--rootfs", "/nonexistent", "--", "cat" })]
    [InlineData("invalid exec_timeout \"soon\"", "--exec-timeout", new[] { "--runner", "process", "--exec-timeout", "soon", "--", "cat" })]
    [InlineData("mode=http works only with runf serve", "against its server called directly", new[] { "--runner", "process", "--mode", "http", "--", "cat" })]
    [InlineData("--inherit-env works only with runf serve", "remove it", new[] { "--runner", "process", "--inherit-env", "false", "--", "cat" })]
    [InlineData("mode=fn works only with runf serve", "bench/serve/fn.sh", new[] { "--runner", "process", "--mode", "fn", "--", "cat" })]
    public async Task The_baselines_refuse_what_they_cannot_do_with_one_line_and_exit_125(string what, string fix, string[] args)
    {
        using var process = Runf.Start(env, args, program: env.ServeBaselines);
        await AssertRefusedAsync(process, "runf-serve-baselines", args, what, fix);
    }

    private static async Task AssertRefusedAsync(System.Diagnostics.Process process, string program, string[] args, string what, string fix)
    {
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(); // a setting taken: it serves instead of failing
            Assert.Fail($"{program} {string.Join(' ', args)} started instead of refusing the setting");
        }
        Assert.Equal(125, process.ExitCode);
        var line = Assert.Single((await stderr).TrimEnd('\n').Split('\n'));
        Assert.StartsWith(program + ": ", line);
        Assert.Contains(what, line);
        Assert.Contains(fix, line);
    }

    [Fact]
    public void A_port_in_use_is_one_line_and_exit_125()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var dir = env.NewDir("port");
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff);
        var result = Runf.Run(env, "serve", "--rootfs", env.Rootfs, "--port", $"{port}", "--metrics-port", $"{port + 1}", "--lock-file", Path.Combine(dir, "lock"), "--", "cat");
        Assert.Equal(125, result.ExitCode);
        var line = Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"runf serve: cannot listen on ports {port} and {port + 1}", line);
        Assert.Contains("--port", line);
        Assert.False(File.Exists(Path.Combine(dir, "lock")));
    }

    [Fact]
    public void Flags_win_over_the_environment()
    {
        // A bad mode from the environment is overridden by the flag, so the next problem shows.
        using var process = Runf.Start(env, ["serve", "--mode", "serializing"], new Dictionary<string, string> { ["mode"] = "bogus" });
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(10_000));
        Assert.Equal(125, process.ExitCode);
        Assert.Contains("no function to run", stderr);
    }

    [Fact]
    public async Task The_bwrap_baseline_runs_the_function_isolated_in_the_rootfs()
    {
        using var server = await ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", "--", "sh", "-c", "id -u; hostname; echo $$; tr a-z A-Z"], baseline: "bwrap");
        using var response = await server.PostAsync("/", "boxed");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.Equal(["0", "function"], lines[..2]);
        Assert.InRange(int.Parse(lines[2]), 1, 2); // its own PID namespace: bwrap's init is 1
        Assert.Equal("BOXED", lines[3]);
        Assert.Contains("runner bwrap", server.Stderr);
    }

    [Fact]
    public void The_baselines_help_is_their_own_and_lists_runner()
    {
        using var process = Runf.Start(env, ["--help"], program: env.ServeBaselines);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(10_000));
        Assert.Equal(0, process.ExitCode);
        Assert.StartsWith("Usage: runf-serve-baselines --runner process|bwrap", stdout);
        Assert.Contains("--runner RUNNER", stdout);
        var runfHelp = Runf.Run(env, "serve", "--help").Stdout;
        Assert.DoesNotContain("--runner", runfHelp);
        Assert.DoesNotContain("runner runf", runfHelp);
    }
}
