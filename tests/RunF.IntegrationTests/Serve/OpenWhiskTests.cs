using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// OpenWhisk's action proxy contract (mode=openwhisk, as actionproxy.py serves a dockerskeleton
/// action), driven over HTTP against the real binary with busybox actions. Each subclass runs
/// the same tests with one runner: runf containers (cold or prewarmed) or the process baseline.
/// </summary>
public abstract class OpenWhiskTests(TestEnvironment env)
{
    protected const string Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

    protected TestEnvironment Env => env;

    protected abstract string[] RunnerArgs { get; }

    protected virtual string? Baseline => null;

    protected Task<ServeServer> StartAsync(params string[] args) =>
        ServeServer.StartAsync(env, [.. RunnerArgs, "--healthcheck-interval", "0", "--mode", "openwhisk", .. args], baseline: Baseline);

    /// <summary>An /init of code (text, or base64 when binary), with value.env.</summary>
    protected static string InitBody(string code, bool binary = false, string env = "{}") =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["value"] = new Dictionary<string, object> { ["code"] = code, ["binary"] = binary, ["main"] = "main", ["env"] = JsonDocument.Parse(env).RootElement } });

    /// <summary>A zip of (name, content, unix mode) entries, base64 as /init takes it.</summary>
    protected static string Base64Zip(params (string Name, string Content, int Mode)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, mode) in entries)
            {
                var entry = zip.CreateEntry(name);
                entry.ExternalAttributes = mode << 16;
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }
        return Convert.ToBase64String(buffer.ToArray());
    }

    protected static async Task<(HttpStatusCode Status, string Body)> PostAsync(ServeServer server, string path, string body)
    {
        using var response = await server.PostAsync(path, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    protected static string ErrorOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;

    /// <summary>Echoes what it got in argv[1] and on stdin, and its __OW_ variables and value.env's GREETING.</summary>
    private const string EchoAction = "#!/bin/sh\necho a log line\necho an error line >&2\nread -r input\n" +
        "printf '{\"argv\":%s,\"stdin\":%s,\"argc\":%d,\"id\":\"%s\",\"greeting\":\"%s\"}\\n' \"$1\" \"$input\" $# \"$__OW_ACTIVATION_ID\" \"$GREETING\"\n";

    [Fact]
    public async Task Init_with_a_shell_script_installs_it_and_run_passes_the_value_in_argv_and_on_stdin()
    {
        using var server = await StartAsync();
        var (status, body) = await PostAsync(server, "/init", InitBody(EchoAction, env: "{\"GREETING\":\"hello\"}"));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("{\"ok\":true}\n", body);

        (status, body) = await PostAsync(server, "/run", "{\"value\":{\"name\":\"ada\",\"n\":3},\"activation_id\":\"act-1\",\"namespace\":\"guest\"}");
        Assert.True(status == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal("ada", result.GetProperty("argv").GetProperty("name").GetString());
        Assert.Equal(3, result.GetProperty("stdin").GetProperty("n").GetInt32());
        Assert.Equal(1, result.GetProperty("argc").GetInt32());
        Assert.Equal("act-1", result.GetProperty("id").GetString());
        Assert.Equal("hello", result.GetProperty("greeting").GetString());
        await ServeTests.AssertEventually(() => server.Stdout.Contains("a log line\n" + Sentinel) && server.Stderr.Contains("an error line\n" + Sentinel), "no log before the sentinel");
    }

    [Fact]
    public async Task Init_with_a_base64_zip_installs_its_exec_and_files_and_runs_it_in_its_directory()
    {
        using var server = await StartAsync();
        var zip = Base64Zip(("exec", "#!/bin/sh\nprintf '{\"data\":\"%s\"}\\n' \"$(cat lib/data.txt)\"\n", 0x81a4),
            ("lib/data.txt", "from the zip", 0x81a4));
        var (status, body) = await PostAsync(server, "/init", InitBody(zip, binary: true));
        Assert.True(status == HttpStatusCode.OK, body);
        (status, body) = await PostAsync(server, "/run", "{\"value\":{}}");
        Assert.True(status == HttpStatusCode.OK, body);
        // Read by a relative path: the action runs in its own directory, as the proxy runs it.
        Assert.Equal("from the zip", JsonDocument.Parse(body).RootElement.GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_second_init_is_403_in_the_proxys_words()
    {
        using var server = await StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "/init", InitBody("#!/bin/sh\necho '{\"first\":true}'\n"))).Status);
        var (status, body) = await PostAsync(server, "/init", InitBody("#!/bin/sh\necho '{\"second\":true}'\n"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("{\"error\":\"Cannot initialize the action more than once.\"}\n", body);
        Assert.Equal("{\"first\":true}\n", (await PostAsync(server, "/run", "{\"value\":{}}")).Body);
    }

    [Fact]
    public async Task An_array_result_is_a_result()
    {
        using var server = await StartAsync();
        await PostAsync(server, "/init", InitBody("#!/bin/sh\necho 'log first'\necho '[1, 2, 3]'\n"));
        var (status, body) = await PostAsync(server, "/run", "{\"value\":[\"a\"]}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("[1, 2, 3]\n", body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{this is not json")]
    public async Task A_malformed_or_empty_run_body_runs_the_action_with_an_empty_object(string runBody)
    {
        using var server = await StartAsync();
        await PostAsync(server, "/init", InitBody("#!/bin/sh\nprintf '{\"got\":%s}\\n' \"$1\"\n"));
        var (status, body) = await PostAsync(server, "/run", runBody);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("{\"got\":{}}\n", body);
    }

    [Fact]
    public async Task Errors_are_in_the_proxys_words()
    {
        using var server = await StartAsync();
        await PostAsync(server, "/init", InitBody("#!/bin/sh\necho \"$1\" | grep -q blank && { echo '{}'; echo; exit 0; }\necho 'not json'\n"));

        var (status, body) = await PostAsync(server, "/run", "{\"value\":{}}");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("The action did not return a dictionary or array.", ErrorOf(body));
        await ServeTests.AssertEventually(() => server.Stdout.Contains("not json\n" + Sentinel), "the line that was not a result was not logged");

        // As actionproxy.py: the result is the last line, even an empty one.
        (status, body) = await PostAsync(server, "/run", "{\"value\":{\"blank\":1}}");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("The action did not return a dictionary or array.", ErrorOf(body));

        foreach (var bad in new[] { "{\"value\":\"text\"}", "{\"value\":null}", "[1]" })
        {
            (status, body) = await PostAsync(server, "/run", bad);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("The action did not receive a dictionary or array as an argument.", ErrorOf(body));
        }
    }

    [Fact]
    public async Task Parameters_longer_than_one_argument_go_on_stdin_only()
    {
        using var server = await StartAsync();
        await PostAsync(server, "/init", InitBody("#!/bin/sh\nprintf '{\"argc\":%d,\"stdin\":%d}\\n' $# $(wc -c)\n"));
        var big = new string('x', 200_000);
        var (status, body) = await PostAsync(server, "/run", $"{{\"value\":{{\"big\":\"{big}\"}}}}");
        Assert.True(status == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal(0, result.GetProperty("argc").GetInt32());
        Assert.Equal(big.Length + "{\"big\":\"\"}".Length, result.GetProperty("stdin").GetInt32());
    }

    [Fact]
    public async Task Without_code_fprocess_is_the_blackbox_action_and_gets_the_parameters_as_its_last_argument()
    {
        using var server = await StartAsync("--", "sh", "-c", "printf '{\"last\":%s}\\n' \"$0\"");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "/init", "{\"value\":{}}")).Status);
        var (status, body) = await PostAsync(server, "/run", "{\"value\":{\"k\":1}}");
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("{\"last\":{\"k\":1}}\n", body);
    }

    [Fact]
    public async Task Run_with_no_action_and_a_hostile_zip_are_refused_in_the_proxys_words_and_logged()
    {
        using var server = await StartAsync();
        var (status, body) = await PostAsync(server, "/run", "{\"value\":{}}");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("The action failed to locate a binary. See logs for details.", ErrorOf(body));

        var zip = Base64Zip(("exec", "#!/bin/sh\necho '{}'\n", 0x81ed), ("../../planted", "pwned", 0x81a4));
        (status, body) = await PostAsync(server, "/init", InitBody(zip, binary: true));
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("The action failed to generate or locate a binary. See logs for details.", ErrorOf(body));
        await ServeTests.AssertEventually(() => server.Stderr.Contains("runf serve: /init: the action's zip entry \"../../planted\" is refused: its path climbs out with \"..\""), "the reason was not logged");

        // A failed /init is no /init: the next one installs.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "/init", InitBody("#!/bin/sh\necho '{\"ok\":1}'\n"))).Status);
        Assert.Equal("{\"ok\":1}\n", (await PostAsync(server, "/run", "{}")).Body);
    }
}

[Collection(RunfCollection.Name)]
public sealed class OpenWhiskProcessRunnerTests(TestEnvironment env) : OpenWhiskTests(env)
{
    protected override string[] RunnerArgs => [];

    protected override string? Baseline => "process";
}

[Collection(RunfCollection.Name)]
public sealed class OpenWhiskRunfRunnerTests(TestEnvironment env) : OpenWhiskTests(env)
{
    protected override string[] RunnerArgs => ["--rootfs", Env.Rootfs];
}

[Collection(RunfCollection.Name)]
public sealed class OpenWhiskPrewarmedRunnerTests(TestEnvironment env) : OpenWhiskTests(env)
{
    protected override string[] RunnerArgs => ["--rootfs", Env.Rootfs, "--prewarm", "2"];
}
