using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Http;
using RunF.Serve.Logging;

namespace RunF.Serve.Lambda;

/// <summary>
/// Invocations as the runtime interface emulator takes them, on port: POST
/// /2015-03-31/functions/function/invocations, the body is the event; the answer is the
/// runtime's response (200), or the error document with X-Amz-Function-Error: Unhandled (200, as
/// Lambda's Invoke API). Each invocation takes a runtime of its own (RuntimePool); when none is
/// free it is refused with Lambda's 429. Requests to the runtime API ports go to RuntimeApi.
/// </summary>
public sealed class LambdaFront(ServeConfig config, RuntimePool pool, ServeState state)
{
    public const string InvokePath = "/2015-03-31/functions/function/invocations";

    /// <summary>Whether this request came in on a runtime API port (and not on port): it bypasses the drain and the health endpoints.</summary>
    public bool IsRuntimeApi(HttpContext context) => pool.ByPort(context.Connection.LocalPort) is not null;

    public Task ServeRuntimeApiAsync(HttpContext context) =>
        RuntimeApi.HandleAsync(context, pool.ByPort(context.Connection.LocalPort)!, config.MaxResponseSize);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.Value != InvokePath)
        {
            await PlainText.WriteAsync(context.Response, StatusCodes.Status404NotFound, $"404 page not found: invoke the function with POST {InvokePath}\n");
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await PlainText.WriteAsync(context.Response, StatusCodes.Status405MethodNotAllowed, $"invoke the function with POST {InvokePath}\n");
            return;
        }
        var started = Stopwatch.GetTimestamp();
        state.Metrics.RequestStarted();
        try
        {
            await InvokeAsync(context);
        }
        finally
        {
            state.Metrics.RequestFinished(context.Response.StatusCode, request.Method, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var contextError = InvocationRequest.ClientContextOf(request.Headers["X-Amz-Client-Context"].FirstOrDefault(), out var clientContext);
        var cognitoError = InvocationRequest.CognitoIdentityOf(request.Headers["X-Amz-Cognito-Identity"].FirstOrDefault(), out var cognito);
        if ((contextError ?? cognitoError) is { } bad)
        {
            await LambdaErrorAsync(context.Response, StatusCodes.Status400BadRequest, "InvalidRequestContentException", bad);
            return;
        }
        var payload = await InvocationRequest.ReadWholeAsync(request, config.MaxResponseSize, context.RequestAborted);
        if (payload is null)
        {
            await LambdaErrorAsync(context.Response, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLargeException",
                $"Request must be smaller than {config.MaxResponseSize} bytes for the InvokeFunction operation (max_response_size {ByteSize.Format(config.MaxResponseSize)})");
            return;
        }
        if (!state.Gate.TryEnter())
        {
            await LambdaErrorAsync(context.Response, StatusCodes.Status429TooManyRequests, "TooManyRequestsException",
                $"Rate Exceeded: max_inflight ({state.Gate.Limit}) invocations run now");
            return;
        }
        try
        {
            await RunAsync(context, payload, clientContext, cognito);
        }
        finally
        {
            state.Gate.Exit();
        }
    }

    private async Task RunAsync(HttpContext context, byte[] payload, string? clientContext, string? cognito)
    {
        var request = context.Request;
        if (pool.TryTake() is not { } slot)
        {
            await LambdaErrorAsync(context.Response, StatusCodes.Status429TooManyRequests, "TooManyRequestsException",
                $"Rate Exceeded: all {pool.Count} runtimes are busy (max_inflight, --prewarm)");
            return;
        }
        LambdaOutcome outcome;
        var prewarmed = slot.Idle;
        try
        {
            var function = pool.Function;
            var invocation = new LambdaInvocation(payload, DateTimeOffset.UtcNow + function.DeadlineAfter,
                LambdaInvocation.TraceIdFor(request.Headers["X-Amzn-Trace-Id"].FirstOrDefault()), clientContext, cognito);
            state.Metrics.Started(prewarmed);
            // The client going away does not stop the invocation: the runtime is busy until it answers.
            outcome = await slot.RunAsync(invocation);
            context.Response.Headers["X-Amzn-RequestId"] = invocation.RequestId;
        }
        finally
        {
            pool.Release(slot);
        }
        var response = context.Response;
        response.StatusCode = outcome.Status;
        response.ContentType = outcome.ContentType;
        response.Headers["X-Amz-Executed-Version"] = pool.Function.Version;
        if (outcome.IsError && outcome.Status == StatusCodes.Status200OK)
        {
            response.Headers["X-Amz-Function-Error"] = "Unhandled";
        }
        response.ContentLength = outcome.Body.Length;
        try
        {
            await response.Body.WriteAsync(outcome.Body, context.RequestAborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            ServeLog.Info($"the client of invocation {context.Response.Headers["X-Amzn-RequestId"]} went away before its answer");
        }
    }

    /// <summary>An error of Lambda's Invoke API itself: {"Type":"User","message":...} with x-amzn-ErrorType.</summary>
    private static Task LambdaErrorAsync(HttpResponse response, int status, string errorType, string message)
    {
        response.StatusCode = status;
        response.ContentType = LambdaOutcome.Json;
        response.Headers["X-Amzn-ErrorType"] = errorType;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("Type", "User");
            json.WriteString("message", message);
            json.WriteEndObject();
        }
        return response.WriteAsync(Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }
}
