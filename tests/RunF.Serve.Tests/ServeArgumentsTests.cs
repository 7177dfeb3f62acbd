using RunF.Runtime.Errors;
using RunF.Serve.Configuration;

namespace RunF.Serve.Tests;

public sealed class ServeArgumentsTests
{
    private static ServeConfig Parse(string[] args, params (string Name, string Value)[] env)
    {
        var variables = env.ToDictionary(e => e.Name, e => e.Value);
        return ServeArguments.Parse(args, variables.GetValueOrDefault)!;
    }

    private static string Error(string[] args, params (string Name, string Value)[] env) =>
        Assert.Throws<RunfException>(() => Parse(args, env)).Message;

    [Fact]
    public void Defaults_are_the_watchdogs()
    {
        var config = Parse(["--", "cat"]);
        Assert.Equal(["cat"], config.Command);
        Assert.Equal(8080, config.Port);
        Assert.Equal(8081, config.MetricsPort);
        Assert.Equal(TimeSpan.FromSeconds(10), config.ExecTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), config.ReadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), config.WriteTimeout);
        Assert.Equal(0, config.MaxInflight);
        Assert.Equal(ServeMode.Streaming, config.Mode);
        Assert.Equal("rootfs", config.Rootfs);
        Assert.Equal("/tmp/.lock", config.LockFile);
        Assert.False(config.CombineOutput);
        Assert.Null(config.ContentType);
        Assert.Equal(new Uri("http://127.0.0.1:8082"), config.UpstreamUrl);
        Assert.False(config.BufferHttp);
        Assert.True(config.PrefixLogs);
        Assert.Equal(64 * 1024, config.LogBufferSize); // bufio.MaxScanTokenSize, as the of-watchdog's
        Assert.Equal(TimeSpan.FromSeconds(10), config.StopTimeout);
        Assert.True(config.InheritEnv);
        Assert.False(Parse(["--inherit-env", "false", "--", "cat"]).InheritEnv);
    }

    [Fact]
    public void Mode_http_takes_the_of_watchdogs_variables_and_their_other_names()
    {
        var config = Parse([], ("mode", "http"), ("fprocess", "python index.py"), ("upstream_url", "http://127.0.0.1:5000"),
            ("buffer_http", "true"), ("prefix_logs", "false"), ("log_buffer_size", "-1"));
        Assert.Equal(ServeMode.Http, config.Mode);
        Assert.Equal(5000, config.UpstreamUrl.Port);
        Assert.True(config.BufferHttp);
        Assert.False(config.PrefixLogs);
        Assert.Equal(1 << 20, config.LogBufferSize);

        var other = Parse([], ("mode", "http"), ("fprocess", "x"), ("http_upstream_url", "http://localhost:3000/api"), ("http_buffer_req_body", "1"));
        Assert.Equal(new Uri("http://localhost:3000/api"), other.UpstreamUrl);
        Assert.True(other.BufferHttp);
        Assert.Equal(3000, Parse([], ("fprocess", "x"), ("upstream_url", "http://h:3000"), ("http_upstream_url", "http://h:4000")).UpstreamUrl.Port);
        Assert.Equal(TimeSpan.FromSeconds(2), Parse(["--mode", "http", "--stop-timeout", "2s", "--", "x"]).StopTimeout);
    }

    [Fact]
    public void Mode_http_needs_a_port_of_its_own_for_the_server_and_takes_no_prewarm()
    {
        Assert.Contains("uses port 8080, which is runf serve's port: the function's server needs a port of its own",
            Error(["--mode", "http", "--upstream-url", "http://127.0.0.1:8080", "--", "x"]));
        Assert.Contains("which is runf serve's metrics_port", Error(["--mode", "http", "--upstream-url", "http://127.0.0.1:8081", "--", "x"]));
        Assert.Contains("--prewarm does not apply to mode=http", Error(["--mode", "http", "--prewarm", "2", "--", "x"]));
        // Outside mode=http the upstream is never used.
        Assert.Equal(ServeMode.Streaming, Parse(["--upstream-url", "http://127.0.0.1:8080", "--", "x"]).Mode);
    }

    [Fact]
    public void The_environment_configures_and_fprocess_is_split_on_spaces()
    {
        var config = Parse([], ("fprocess", "  tr   a-z A-Z "), ("port", "9000"), ("exec_timeout", "500ms"), ("max_inflight", "8"),
            ("mode", "serializing"), ("combine_output", "true"), ("content_type", "application/json"), ("write_timeout", "1m"));
        Assert.Equal(["tr", "a-z", "A-Z"], config.Command);
        Assert.Equal(9000, config.Port);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.ExecTimeout);
        Assert.Equal(8, config.MaxInflight);
        Assert.Equal(ServeMode.Serializing, config.Mode);
        Assert.True(config.CombineOutput);
        Assert.Equal("application/json", config.ContentType);
        Assert.Equal(TimeSpan.FromMinutes(1), config.HealthcheckInterval); // follows write_timeout, as the of-watchdog's
    }

    [Fact]
    public void User_is_runfs_option_in_either_spelling_and_unset_by_default()
    {
        Assert.Null(Parse(["--", "cat"]).User);
        Assert.Equal("app:web", Parse(["--user", "app:web", "--", "cat"]).User);
        Assert.Equal("1000", Parse(["-u", "1000", "--", "cat"]).User);
        Assert.Equal("1000:1000", Parse(["--user=1000:1000", "--", "cat"]).User);
    }

    [Fact]
    public void Function_process_is_the_other_name_and_fprocess_wins()
    {
        Assert.Equal(["env"], Parse([], ("function_process", "env")).Command);
        Assert.Equal(["cat"], Parse([], ("function_process", "env"), ("fprocess", "cat")).Command);
    }

    [Fact]
    public void Flags_win_over_the_environment_in_both_spellings()
    {
        var config = Parse(["--port", "7000", "--exec-timeout=2s", "--combine-output", "--fprocess", "cat -n"], ("port", "9000"), ("exec_timeout", "5s"), ("fprocess", "env"));
        Assert.Equal(7000, config.Port);
        Assert.Equal(TimeSpan.FromSeconds(2), config.ExecTimeout);
        Assert.True(config.CombineOutput);
        Assert.Equal(["cat", "-n"], config.Command);
    }

    /// <summary>"--combine-output true" ran `true ...` as the function: a switch takes true or false as its value, as the help shows.</summary>
    [Theory]
    [InlineData(new[] { "--combine-output", "true", "--", "cat" }, true)]
    [InlineData(new[] { "--combine-output", "false", "cat" }, false)]
    [InlineData(new[] { "--combine-output", "cat" }, true)]
    [InlineData(new[] { "--combine-output=false", "cat" }, false)]
    public void A_switch_takes_true_or_false_as_its_value_never_as_the_command(string[] args, bool combined)
    {
        var config = Parse(args);
        Assert.Equal(combined, config.CombineOutput);
        Assert.Equal(["cat"], config.Command);
    }

    [Fact]
    public void A_command_after_the_options_is_taken_whole_and_wins_over_fprocess()
    {
        Assert.Equal(["sh", "-c", "echo a b"], Parse(["--port", "1234", "--", "sh", "-c", "echo a b"], ("fprocess", "cat")).Command);
        Assert.Equal(["sh", "-c", "x"], Parse(["sh", "-c", "x"]).Command);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("3", 3_000)]
    [InlineData("0.5", 500)]
    [InlineData("0", 0)]
    public void Exec_timeout_takes_watchdog_durations(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Parse(["--exec-timeout", text, "--", "cat"]).ExecTimeout);

    [Fact]
    public void Zero_means_no_limit_only_where_it_can()
    {
        Assert.Equal(TimeSpan.Zero, Parse(["--healthcheck-interval", "0", "--", "cat"]).HealthcheckInterval);
        Assert.Contains("invalid write_timeout \"0\" (--write-timeout or $write_timeout)", Error(["--write-timeout", "0", "--", "cat"]));
    }

    [Theory]
    [InlineData("exec_timeout", "soon", "expected a duration")]
    [InlineData("read_timeout", "-1s", "expected a duration")]
    [InlineData("port", "0", "1 to 65535")]
    [InlineData("port", "http", "1 to 65535")]
    [InlineData("max_inflight", "-3", "0 or more")]
    [InlineData("combine_output", "maybe", "true or false")]
    [InlineData("mode", "knative", "streaming, serializing, http, openwhisk")]
    [InlineData("upstream_url", "https://127.0.0.1:8082", "expected http://HOST:PORT")]
    [InlineData("upstream_url", "127.0.0.1:8082", "expected http://HOST:PORT")]
    [InlineData("upstream_url", "http://127.0.0.1:8082/?a=1", "no https, query or user")]
    [InlineData("buffer_http", "sometimes", "true or false")]
    [InlineData("prefix_logs", "2", "true or false")]
    [InlineData("log_buffer_size", "0", "from 1 to 1048576, or -1")]
    [InlineData("log_buffer_size", "-2", "0 or more")]
    [InlineData("exec_timeout", "Infinity", "expected a duration")]
    [InlineData("write_timeout", "NaN", "expected a duration")]
    [InlineData("healthcheck_interval", "99999999999999999999", "expected a duration")]
    [InlineData("max_response_size", "0", "expected a size")]
    [InlineData("max_response_size", "0.1", "expected a size")]
    [InlineData("max_response_size", "lots", "expected a size")]
    [InlineData("max_response_size", "99999999999t", "expected a size")]
    public void Bad_values_name_the_setting_both_ways_and_the_expectation(string name, string value, string expectation)
    {
        var message = Error(["--", "cat"], (name, value));
        Assert.StartsWith($"invalid {name} \"{value}\" (--{name.Replace('_', '-')} or ${name})", message);
        Assert.Contains(expectation, message);
    }

    [Theory]
    [InlineData(null, 64L << 20)]
    [InlineData("1m", 1L << 20)]
    [InlineData("512k", 512L << 10)]
    [InlineData("3g", 3L << 30)]
    public void Max_response_size_is_64_MiB_unless_set(string? text, long bytes)
    {
        var env = text is null ? [] : new[] { ("max_response_size", text) };
        Assert.Equal(bytes, Parse(["--", "cat"], env).MaxResponseSize);
    }

    [Fact]
    public void Runner_is_not_a_setting_of_runf_serve_and_names_where_the_baselines_are()
    {
        var line = Error(["--runner", "process", "--", "cat"]);
        Assert.StartsWith("unknown option --runner", line);
        Assert.Contains("runf-serve-baselines --runner process|bwrap", line);
        Assert.Equal(2, Parse(["--prewarm", "2", "--memory", "64m", "--", "cat"]).Prewarm);
    }

    [Fact]
    public void A_program_with_settings_of_its_own_gets_them_back_and_runf_serves_still_apply()
    {
        var runner = new Setting("runner", false, "RUNNER", "test");
        var config = ServeArguments.Parse(["--runner", "bwrap", "--memory", "64m", "--", "cat"], _ => null, [.. Setting.All, runner], out var given);
        Assert.Equal(["cat"], config!.Command);
        Assert.Equal("bwrap", given[runner]);
        Assert.True(given.ContainsKey(Setting.Memory));
        Assert.False(given.ContainsKey(Setting.Prewarm));
    }

    [Fact]
    public void Unknown_options_missing_values_and_a_missing_command_are_errors()
    {
        Assert.Contains("unknown option --frobnicate", Error(["--frobnicate", "--", "cat"]));
        Assert.Contains("--port needs a value", Error(["--port"]));
        Assert.Contains("no function to run", Error([]));
        Assert.Contains("port and metrics_port are both 8081", Error(["--port", "8081", "--", "cat"]));
    }

    [Theory]
    [InlineData("openwhisk", ServeMode.OpenWhisk)]
    [InlineData("openwhisk-loop", ServeMode.OpenWhiskLoop)]
    public void The_openwhisk_modes_take_the_action_from_init_and_need_no_command(string mode, ServeMode parsed)
    {
        var config = Parse(["--mode", mode]);
        Assert.Equal(parsed, config.Mode);
        Assert.Empty(config.Command);
        Assert.Equal(128L << 20, config.MaxActionSize);
        Assert.Equal(1L << 20, Parse(["--mode", mode, "--max-action-size", "1m"]).MaxActionSize);
        Assert.Equal("invalid max_action_size \"0\" (--max-action-size): expected a size such as 64m, 512k or 1g", Error(["--mode", mode, "--max-action-size", "0"]));
    }

    [Fact]
    public void Help_is_null_and_lists_every_setting()
    {
        Assert.Null(ServeArguments.Parse(["--port", "1", "--help"], _ => null));
        var help = ServeArguments.Help();
        Assert.All(Setting.All, s => Assert.Contains(s.Flag, help));
    }
}
