using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using RunF.Runtime.Errors;
using RunF.Serve.Configuration;
using RunF.Serve.Lambda;
using static RunF.Serve.Lambda.RuntimeApi;

namespace RunF.Serve.Tests;

/// <summary>mode=lambda's parts without a container: its settings, the runtime API's routes, the documents and headers, the connection owner.</summary>
public sealed class LambdaTests
{
    private static ServeConfig Config(params string[] args) => ServeArguments.Parse(args, _ => null)!;

    private static LambdaFunction Function(ServeConfig config, IReadOnlyList<string> args, params (string Name, string Value)[] env)
    {
        var variables = env.ToDictionary(e => e.Name, e => e.Value);
        return LambdaFunction.From(variables.GetValueOrDefault, config, args);
    }

    [Fact]
    public void Mode_lambda_needs_no_command_and_no_more_prewarmed_runtimes_than_max_inflight()
    {
        var config = Config("--mode", "lambda");
        Assert.Equal(ServeMode.Lambda, config.Mode);
        Assert.Empty(config.Command); // the image's Entrypoint and Cmd, or a bootstrap
        Assert.Equal(ServeMode.Lambda, ServeArguments.Parse([], name => name == "mode" ? "lambda" : null)!.Mode);
        Assert.Equal(3, Config("--mode", "lambda", "--max-inflight", "4", "--prewarm", "3").Prewarm);
        Assert.Equal(5, Config("--mode", "lambda", "--prewarm", "5").Prewarm); // without max_inflight: the prewarmed are the runtimes
        var error = Assert.Throws<RunfException>(() => Config("--mode", "lambda", "--max-inflight", "1", "--prewarm", "2")).Message;
        Assert.Equal("--prewarm 2 is more than max_inflight 1: mode=lambda runs at most max_inflight runtimes; lower --prewarm or raise max_inflight", error);
        // The other modes still need a command.
        Assert.StartsWith("no function to run", Assert.Throws<RunfException>(() => Config("--mode", "streaming")).Message);
    }

    [Fact]
    public void The_function_is_described_by_the_agents_environment_with_the_emulators_defaults()
    {
        var function = Function(Config("--mode", "lambda"), ["/var/runtime/bootstrap"]);
        Assert.Equal(new LambdaFunction("test_function", "$LATEST", 3008, "us-east-1", null, TimeSpan.FromSeconds(10)), function);
        Assert.Equal("arn:aws:lambda:us-east-1:012345678912:function:test_function", function.Arn);

        function = Function(Config("--mode", "lambda", "--exec-timeout", "3s"), ["bootstrap"],
            ("AWS_LAMBDA_FUNCTION_NAME", "thumbnails"), ("AWS_LAMBDA_FUNCTION_VERSION", "7"), ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"), ("AWS_REGION", "eu-west-1"));
        Assert.Equal(new LambdaFunction("thumbnails", "7", 512, "eu-west-1", null, TimeSpan.FromSeconds(3)), function);
        Assert.Equal("eu-west-1", Function(Config("--mode", "lambda"), ["b"], ("AWS_DEFAULT_REGION", "eu-west-1")).Region);
        // --memory is the runtime's real limit: its size when no variable says another.
        Assert.Equal(256, Function(Config("--mode", "lambda", "--memory", "256m"), ["b"]).MemoryMb);
        Assert.Equal("invalid AWS_LAMBDA_FUNCTION_MEMORY_SIZE \"lots\": expected the function's memory in MB, such as 128 or 3008",
            Assert.Throws<RunfException>(() => Function(Config("--mode", "lambda"), ["b"], ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "lots"))).Message);
        // No limit: the deadline says Lambda's longest, 15 minutes.
        Assert.Equal(TimeSpan.FromMinutes(15), Function(Config("--mode", "lambda", "--exec-timeout", "0"), ["b"]).DeadlineAfter);
    }

    [Fact]
    public void The_handler_is_a_variable_else_the_commands_last_word_as_the_emulator_takes_it()
    {
        var config = Config("--mode", "lambda");
        Assert.Equal("app.handler", Function(config, ["/lambda-entrypoint.sh", "app.handler"]).Handler);
        Assert.Null(Function(config, ["/var/task/bootstrap"]).Handler);
        Assert.Equal("from.variable", Function(config, ["/lambda-entrypoint.sh", "app.handler"], ("AWS_LAMBDA_FUNCTION_HANDLER", "from.variable")).Handler);
        Assert.Equal("from.handler", Function(config, ["x", "y"], ("_HANDLER", "from.handler")).Handler);
        Assert.Equal("from.e", Function(Config("--mode", "lambda", "-e", "_HANDLER=first", "-e", "_HANDLER=from.e"), ["x", "y"], ("_HANDLER", "agent")).Handler);
    }

    [Fact]
    public void Every_runtime_gets_Lambdas_variables_and_its_own_runtime_API_address()
    {
        var function = new LambdaFunction("fn", "$LATEST", 128, "eu-west-1", "index.handler", TimeSpan.FromSeconds(3));
        var defaults = function.Defaults();
        Assert.Contains("AWS_LAMBDA_FUNCTION_NAME=fn", defaults);
        Assert.Contains("AWS_LAMBDA_FUNCTION_VERSION=$LATEST", defaults);
        Assert.Contains("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", defaults);
        Assert.Contains("AWS_REGION=eu-west-1", defaults);
        Assert.Contains("AWS_DEFAULT_REGION=eu-west-1", defaults);
        Assert.Contains("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/fn", defaults);
        Assert.Contains("LAMBDA_TASK_ROOT=/var/task", defaults);
        Assert.Contains("LAMBDA_RUNTIME_DIR=/var/runtime", defaults);
        Assert.Contains(defaults, d => d.StartsWith("AWS_LAMBDA_LOG_STREAM_NAME=", StringComparison.Ordinal) && d.Contains("/[$LATEST]"));
        Assert.Equal(["AWS_LAMBDA_RUNTIME_API=127.0.0.1:41234", "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand", "_HANDLER=index.handler"], function.RuntimeEnv(41234, prewarmed: false));
        Assert.Equal("AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency", (function with { Handler = null }).RuntimeEnv(1, prewarmed: true)[1]);
        Assert.Equal(2, (function with { Handler = null }).RuntimeEnv(1, prewarmed: true).Count);
    }

    [Theory]
    [InlineData("GET", "/2018-06-01/runtime/invocation/next", RouteKind.Next, null)]
    [InlineData("POST", "/2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response", RouteKind.Response, "8476a536-e9f4-11e8-9739-2dfe598c3fcd")]
    [InlineData("POST", "/2018-06-01/runtime/invocation/a%2Fb/error", RouteKind.Error, "a/b")]
    [InlineData("POST", "/2018-06-01/runtime/init/error", RouteKind.InitError, null)]
    [InlineData("POST", "/2018-06-01/runtime/invocation/next", RouteKind.WrongMethod, null)]
    [InlineData("GET", "/2018-06-01/runtime/invocation/id/response", RouteKind.WrongMethod, "id")]
    [InlineData("POST", "/2018-06-01/runtime/invocation//response", RouteKind.None, null)]
    [InlineData("POST", "/2018-06-01/runtime/invocation/id/other", RouteKind.None, null)]
    [InlineData("POST", "/2018-06-01/runtime/invocation/id/response/more", RouteKind.None, null)]
    [InlineData("POST", "/2020-01-01/extension/register", RouteKind.None, null)]
    [InlineData("GET", "/", RouteKind.None, null)]
    public void The_runtime_API_routes_as_the_emulators(string method, string path, RouteKind kind, string? requestId)
    {
        var route = Route.Of(method, path);
        Assert.Equal(kind, route.Kind);
        Assert.Equal(requestId, route.RequestId);
    }

    [Fact]
    public void Error_types_documents_and_messages_are_the_emulators()
    {
        Assert.Equal("Runtime.BadInit", ErrorDocuments.ValidErrorType("Runtime.BadInit"));
        Assert.Equal("Function.Bad", ErrorDocuments.ValidErrorType("Function.Bad"));
        Assert.Equal("Function.Unknown", ErrorDocuments.ValidErrorType("Function.lowercase"));
        Assert.Equal("Runtime.Unknown", ErrorDocuments.ValidErrorType("TypeError"));
        Assert.Equal("Runtime.Unknown", ErrorDocuments.ValidErrorType(null));
        Assert.Equal("Runtime exited with error: exit status 3", ErrorDocuments.ExitDescription(3, null));
        Assert.Equal("Runtime exited with error: signal: killed", ErrorDocuments.ExitDescription(0, 9));
        Assert.Equal("Runtime exited without providing a reason", ErrorDocuments.ExitDescription(0, null));
        Assert.Equal("Task timed out after 2.50 seconds", ErrorDocuments.TimedOut(TimeSpan.FromMilliseconds(2500)));
        var outcome = LambdaOutcome.PlatformError(ErrorDocuments.Timedout, "id-1", "Task timed out after 3.00 seconds");
        Assert.True(outcome.IsError);
        Assert.Equal(200, outcome.Status);
        Assert.Equal("{\"errorMessage\":\"RequestId: id-1 Error: Task timed out after 3.00 seconds\",\"errorType\":\"Sandbox.Timedout\"}", Encoding.UTF8.GetString(outcome.Body));
        var quoted = JsonDocument.Parse(ErrorDocuments.Document("T", "a \"quoted\"\nline")).RootElement;
        Assert.Equal("a \"quoted\"\nline", quoted.GetProperty("errorMessage").GetString());
        Assert.Equal("application/json", LambdaOutcome.Response([], null).ContentType);
        Assert.Equal("text/plain", LambdaOutcome.Response([], "text/plain").ContentType);
    }

    [Fact]
    public void Client_context_and_cognito_identity_headers_are_checked_before_they_reach_the_runtime()
    {
        Assert.Null(InvocationRequest.ClientContextOf(null, out var none));
        Assert.Null(none);
        Assert.Null(InvocationRequest.ClientContextOf(Convert.ToBase64String("{\"custom\":{}}"u8.ToArray()), out var context));
        Assert.Equal("{\"custom\":{}}", context);
        Assert.Equal("X-Amz-Client-Context must be base64 (of the client context's JSON)", InvocationRequest.ClientContextOf("not base64!", out _));
        Assert.Equal("X-Amz-Client-Context must be base64 of a JSON object", InvocationRequest.ClientContextOf(Convert.ToBase64String("[1]"u8.ToArray()), out _));
        Assert.Null(InvocationRequest.CognitoIdentityOf("{\"cognitoIdentityId\":\"a\"}", out var identity));
        Assert.Equal("{\"cognitoIdentityId\":\"a\"}", identity);
        Assert.NotNull(InvocationRequest.CognitoIdentityOf("{", out _));
    }

    [Fact]
    public void A_trace_id_is_the_clients_or_a_new_X_Ray_root()
    {
        Assert.Equal("Root=1-a-b", LambdaInvocation.TraceIdFor("Root=1-a-b"));
        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$", LambdaInvocation.TraceIdFor(null));
        Assert.NotEqual(LambdaInvocation.TraceIdFor(null), LambdaInvocation.TraceIdFor(null));
    }

    [Fact]
    public async Task An_invocation_is_answered_once_the_first_answer_wins()
    {
        var invocation = new LambdaInvocation([1], DateTimeOffset.UtcNow, "t", null, null);
        Assert.True(invocation.Answer(LambdaOutcome.Response([2], null)));
        Assert.False(invocation.Answer(LambdaOutcome.PlatformError(ErrorDocuments.Timedout, invocation.RequestId, "late")));
        Assert.False((await invocation.Outcome).IsError);
        Assert.True(Guid.TryParse(invocation.RequestId, out _));
    }

    [Fact]
    public async Task A_connection_belongs_to_the_process_that_holds_its_client_socket_and_to_no_other()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var accepted = await listener.AcceptTcpClientAsync();
        var remote = (IPEndPoint)accepted.Client.RemoteEndPoint!;

        // The kernel names the client's socket: this process holds it.
        var inode = ConnectionOwner.ClientSocketInode(remote.Address, remote.Port, IPAddress.Loopback, port);
        Assert.NotNull(inode);
        Assert.Contains(Directory.EnumerateFileSystemEntries("/proc/self/fd"), fd => new FileInfo(fd).LinkTarget == $"socket:[{inode}]");
        Assert.True(ConnectionOwner.IsHeldBy(Environment.ProcessId, remote.Address, remote.Port, IPAddress.Loopback, port));

        // Another process (and its descendants) does not, though it shares the network.
        using var other = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            Assert.False(ConnectionOwner.IsHeldBy(other.Id, remote.Address, remote.Port, IPAddress.Loopback, port));
        }
        finally
        {
            other.Kill();
        }

        // The server's end is not a client's end; a closed connection has none.
        Assert.NotEqual(inode, ConnectionOwner.ClientSocketInode(IPAddress.Loopback, port, remote.Address, remote.Port));
        client.Close();
        accepted.Close();
        await Task.Delay(50);
        Assert.False(ConnectionOwner.IsHeldBy(Environment.ProcessId, remote.Address, remote.Port, IPAddress.Loopback, port));
    }
}
