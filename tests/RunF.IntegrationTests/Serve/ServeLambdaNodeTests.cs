using System.Diagnostics;
using System.Net;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// mode=lambda with the real client: AWS's runtime interface client for Node.js (aws-lambda-ric,
/// from npm: its native runtime API client is built from aws-lambda-cpp and curl at install) in a
/// Node.js image that runf extracts, running a handler as Lambda's Node.js runtime runs it.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ServeLambdaNodeTests(TestEnvironment env)
{
    private const string Ric = "aws-lambda-ric@3.3.0";
    private const string Invocations = "/2015-03-31/functions/function/invocations";
    private static readonly NodeImage Image = new(Ric);
    private static readonly Lock Extracting = new();
    private static string? _rootfs;

    private const string Handler = """
        let count = 0;
        exports.handler = async (event, context) => {
          count++;
          if (event.action === "throw") throw new TypeError("the handler threw");
          if (event.action === "crash") process.exit(7);
          if (event.action === "sleep") await new Promise(resolve => setTimeout(resolve, event.ms));
          return {
            count, event, pid: process.pid,
            requestId: context.awsRequestId, arn: context.invokedFunctionArn, name: context.functionName,
            memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis(),
            trace: process.env._X_AMZN_TRACE_ID, handler: process.env._HANDLER,
          };
        };
        """;

    private async Task<ServeServer> StartAsync(string handler, params string[] args)
    {
        string rootfs;
        lock (Extracting)
        {
            // One extraction for the class: runf never writes into a rootfs.
            rootfs = _rootfs ??= Image.Extract(env, "lambda-node", new Dictionary<string, string> { ["index.js"] = Handler });
        }
        // As a Lambda image's CMD: the client, then the handler (the image's WorkingDir, /function, is the task root).
        return await ServeServer.StartAsync(env,
            ["--rootfs", rootfs, "--mode", "lambda", "--healthcheck-interval", "0", "--stop-timeout", "2s", .. args,
             "--", "node", "node_modules/aws-lambda-ric/bin/index.mjs", handler],
            new Dictionary<string, string> { ["AWS_LAMBDA_FUNCTION_NAME"] = "node-fn" });
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> InvokeAsync(ServeServer server, string json)
    {
        var response = await server.Client.PostAsync(Invocations, new StringContent(json));
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return (response.StatusCode, JsonDocument.Parse(text).RootElement, response);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"{response.StatusCode}: not JSON: {text}\n{server.Stderr}");
        }
    }

    private static string? FunctionError(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Amz-Function-Error", out var values) ? values.Single() : null;

    [NodeFact(Ric)]
    public async Task The_real_client_takes_the_event_and_returns_the_response_from_one_warm_runtime()
    {
        using var server = await StartAsync("index.handler", "--exec-timeout", "5s");
        var (status, body, response) = await InvokeAsync(server, "{\"hello\":\"world\"}");
        Assert.True(status == HttpStatusCode.OK, $"{status} {body}\n{server.Stderr}");
        Assert.Null(FunctionError(response));
        Assert.Equal("world", body.GetProperty("event").GetProperty("hello").GetString());
        Assert.Equal(1, body.GetProperty("count").GetInt32());
        Assert.Equal(response.Headers.GetValues("X-Amzn-RequestId").Single(), body.GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:012345678912:function:node-fn", body.GetProperty("arn").GetString());
        Assert.Equal("node-fn", body.GetProperty("name").GetString());
        Assert.Equal("3008", body.GetProperty("memory").GetString());
        Assert.Equal("index.handler", body.GetProperty("handler").GetString());
        Assert.StartsWith("Root=1-", body.GetProperty("trace").GetString());
        Assert.InRange(body.GetProperty("remaining").GetInt32(), 3000, 5000);

        var (_, second, _) = await InvokeAsync(server, "{\"n\":2}");
        Assert.Equal(2, second.GetProperty("count").GetInt32());
        Assert.Equal(body.GetProperty("pid").GetInt32(), second.GetProperty("pid").GetInt32());
    }

    [NodeFact(Ric)]
    public async Task A_handler_that_throws_is_an_Unhandled_error_document_and_the_runtime_serves_on()
    {
        using var server = await StartAsync("index.handler");
        var (status, body, response) = await InvokeAsync(server, "{\"action\":\"throw\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", FunctionError(response));
        Assert.Equal("TypeError", body.GetProperty("errorType").GetString());
        Assert.Equal("the handler threw", body.GetProperty("errorMessage").GetString());
        Assert.True(body.GetProperty("trace").GetArrayLength() > 0, "the client's stack trace is passed on");

        var (_, after, _) = await InvokeAsync(server, "{}");
        Assert.Equal(2, after.GetProperty("count").GetInt32());
    }

    [NodeFact(Ric)]
    public async Task A_runtime_that_crashes_or_times_out_is_restarted_for_the_next_invocation()
    {
        using var server = await StartAsync("index.handler", "--exec-timeout", "2s");
        var (status, crash, response) = await InvokeAsync(server, "{\"action\":\"crash\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", FunctionError(response));
        Assert.Equal("Runtime.ExitError", crash.GetProperty("errorType").GetString());
        Assert.EndsWith("Error: Runtime exited with error: exit status 7", crash.GetProperty("errorMessage").GetString());

        var (_, fresh, _) = await InvokeAsync(server, "{}");
        Assert.Equal(1, fresh.GetProperty("count").GetInt32());

        var watch = Stopwatch.StartNew();
        var (_, timedOut, timeoutResponse) = await InvokeAsync(server, "{\"action\":\"sleep\",\"ms\":20000}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"answered after {watch.Elapsed}");
        Assert.Equal("Unhandled", FunctionError(timeoutResponse));
        Assert.Equal("Sandbox.Timedout", timedOut.GetProperty("errorType").GetString());
        Assert.EndsWith("Task timed out after 2.00 seconds", timedOut.GetProperty("errorMessage").GetString());

        var (_, again, _) = await InvokeAsync(server, "{}");
        Assert.Equal(1, again.GetProperty("count").GetInt32());
    }

    [NodeFact(Ric)]
    public async Task A_handler_that_cannot_be_loaded_is_the_clients_init_error()
    {
        using var server = await StartAsync("missing.handler");
        var (status, body, response) = await InvokeAsync(server, "{}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Unhandled", FunctionError(response));
        Assert.Equal("Runtime.ImportModuleError", body.GetProperty("errorType").GetString());
        Assert.Contains("missing", body.GetProperty("errorMessage").GetString());
        Assert.Contains("init failed: Runtime.ImportModuleError", server.Stderr);
    }

    [NodeFact(Ric)]
    public async Task SIGTERM_leaves_no_runtime_running()
    {
        using var server = await StartAsync("index.handler", "--prewarm", "2");
        var (status, _, _) = await InvokeAsync(server, "{}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, server.Descendants("node").Count);
        server.Terminate();
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.Empty(server.Descendants("node"));
    }
}
