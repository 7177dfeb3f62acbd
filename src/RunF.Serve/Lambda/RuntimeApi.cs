using System.Globalization;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Spec;
using RunF.Serve.Logging;

namespace RunF.Serve.Lambda;

/// <summary>
/// Lambda's runtime API (2018-06-01), on one runtime's own port, as the emulator serves it:
/// GET invocation/next, POST invocation/{id}/response and /error, POST init/error. Every request
/// must come from that runtime's container (ConnectionOwner), else 403: a runtime cannot take,
/// answer or fail another's invocation. These requests are outside the drain of SIGTERM: the
/// runtimes answer their invocations until they are stopped.
/// </summary>
public static class RuntimeApi
{
    public const string Prefix = "/2018-06-01/runtime/";
    private const string OwnerKey = "runf.lambda.owner";

    public static async Task HandleAsync(HttpContext context, RuntimeSlot slot, long maxResponse)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var route = Route.Of(request.Method, path);
        if (route.Kind == RouteKind.None)
        {
            await JsonAsync(context.Response, StatusCodes.Status404NotFound, ErrorDocuments.ApiError("NotFound",
                path.StartsWith(Prefix, StringComparison.Ordinal) || !path.StartsWith("/20", StringComparison.Ordinal)
                    ? $"{request.Method} {path} is not part of the runtime API"
                    : $"{path}: runf serve serves the runtime API (2018-06-01) only; the extensions, logs and telemetry APIs are not implemented"));
            return;
        }
        if (route.Kind == RouteKind.WrongMethod)
        {
            context.Response.Headers.Allow = route.Allow;
            await JsonAsync(context.Response, StatusCodes.Status405MethodNotAllowed, ErrorDocuments.ApiError("MethodNotAllowed", $"{request.Method} {path}: use {route.Allow}"));
            return;
        }
        if (!await FromOwnContainerAsync(context, slot))
        {
            ServeLog.Info($"runtime {slot.Index}: refused {request.Method} {path} from 127.0.0.1:{context.Connection.RemotePort}: not a process of its container");
            await JsonAsync(context.Response, StatusCodes.Status403Forbidden, ErrorDocuments.ApiError("Forbidden",
                "this connection does not come from the runtime this port serves: each runtime may use its own AWS_LAMBDA_RUNTIME_API only"));
            return;
        }
        switch (route.Kind)
        {
            case RouteKind.Next:
                await NextAsync(context, slot);
                break;
            case RouteKind.Response:
            case RouteKind.Error:
                await AnswerAsync(context, slot, route, maxResponse);
                break;
            case RouteKind.InitError:
                var body = await InvocationRequest.ReadWholeAsync(request, maxResponse, context.RequestAborted);
                var type = ErrorDocuments.ValidErrorType(request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault());
                if (!slot.InitFailed(LambdaOutcome.FunctionError(body ?? ErrorDocuments.Document(type, "the init error document exceeded max_response_size"), type)))
                {
                    await JsonAsync(context.Response, StatusCodes.Status403Forbidden, ErrorDocuments.ApiError("InvalidStateTransition",
                        "init/error is for the runtime's initialization: it has asked for an invocation already"));
                    return;
                }
                await AcceptedAsync(context.Response);
                break;
        }
    }

    private static async Task NextAsync(HttpContext context, RuntimeSlot slot)
    {
        LambdaInvocation? invocation;
        try
        {
            invocation = await slot.NextAsync(context.RequestAborted);
        }
        catch (InvalidOperationException e)
        {
            await JsonAsync(context.Response, StatusCodes.Status403Forbidden, ErrorDocuments.ApiError("InvalidStateTransition", e.Message));
            return;
        }
        catch (OperationCanceledException)
        {
            return; // the runtime went away while it waited
        }
        if (invocation is null)
        {
            // The runtime is being stopped, or asked twice at once: no invocation for this request.
            context.Abort();
            return;
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = LambdaOutcome.Json;
        var headers = response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = slot.FunctionArn;
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        if (invocation.ClientContext is { } clientContext)
        {
            headers["Lambda-Runtime-Client-Context"] = clientContext;
        }
        if (invocation.CognitoIdentity is { } cognito)
        {
            headers["Lambda-Runtime-Cognito-Identity"] = cognito;
        }
        response.ContentLength = invocation.Payload.Length;
        try
        {
            await response.Body.WriteAsync(invocation.Payload, context.RequestAborted);
            await response.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            slot.Undeliverable(invocation);
        }
    }

    private static async Task AnswerAsync(HttpContext context, RuntimeSlot slot, Route route, long maxResponse)
    {
        var request = context.Request;
        if (slot.Awaiting(route.RequestId!) is not { } invocation)
        {
            await JsonAsync(context.Response, StatusCodes.Status400BadRequest, ErrorDocuments.ApiError("InvalidRequestID", "Invalid request ID"));
            return;
        }
        var body = await InvocationRequest.ReadWholeAsync(request, maxResponse, context.RequestAborted);
        LambdaOutcome outcome;
        if (body is null)
        {
            // As the emulator: the runtime hears 413, the invoker Function.ResponseSizeTooLarge.
            var limit = $"{maxResponse.ToString(CultureInfo.InvariantCulture)} bytes";
            outcome = LambdaOutcome.PlatformError(ErrorDocuments.ResponseTooLarge, invocation.RequestId,
                $"Response payload size exceeded maximum allowed payload size ({limit}, max_response_size {ByteSize.Format(maxResponse)}).");
            invocation.Answer(outcome);
            await JsonAsync(context.Response, StatusCodes.Status413PayloadTooLarge, ErrorDocuments.ApiError("RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({limit})."));
            return;
        }
        outcome = route.Kind == RouteKind.Response
            ? LambdaOutcome.Response(body, request.ContentType)
            : LambdaOutcome.FunctionError(body, ErrorDocuments.ValidErrorType(request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault()));
        if (!invocation.Answer(outcome))
        {
            // Answered meanwhile: by another request of the runtime, or by the timeout.
            await JsonAsync(context.Response, StatusCodes.Status400BadRequest, ErrorDocuments.ApiError("InvalidRequestID", "Invalid request ID"));
            return;
        }
        await AcceptedAsync(context.Response);
    }

    /// <summary>
    /// Whether the connection's client is a process of the slot's running container, checked once
    /// per connection and container (the answer is kept with the connection).
    /// </summary>
    private static async Task<bool> FromOwnContainerAsync(HttpContext context, RuntimeSlot slot)
    {
        if (await slot.ContainerPidAsync() is not { } pid)
        {
            return false;
        }
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(OwnerKey, out var owner) && owner is int known && known == pid)
        {
            return true;
        }
        var connection = context.Connection;
        if (connection.RemoteIpAddress is not { } remote || connection.LocalIpAddress is not { } local
            || !ConnectionOwner.IsHeldBy(pid, remote, connection.RemotePort, local, connection.LocalPort))
        {
            return false;
        }
        if (items is not null)
        {
            items[OwnerKey] = pid;
        }
        return true;
    }

    private static Task AcceptedAsync(HttpResponse response) => JsonAsync(response, StatusCodes.Status202Accepted, "{\"status\":\"OK\"}");

    private static Task JsonAsync(HttpResponse response, int status, string json)
    {
        response.StatusCode = status;
        response.ContentType = LambdaOutcome.Json;
        return response.WriteAsync(json + "\n");
    }

    public enum RouteKind
    {
        None,
        WrongMethod,
        Next,
        Response,
        Error,
        InitError,
    }

    /// <summary>A runtime API request's route: which call, the request id it names, the method it wants.</summary>
    public sealed record Route(RouteKind Kind, string? RequestId = null, string? Allow = null)
    {
        public static Route Of(string method, string path)
        {
            if (!path.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return new Route(RouteKind.None);
            }
            var rest = path[Prefix.Length..];
            Route route;
            if (rest == "invocation/next")
            {
                route = new Route(RouteKind.Next, Allow: "GET");
            }
            else if (rest == "init/error")
            {
                route = new Route(RouteKind.InitError, Allow: "POST");
            }
            else if (rest.StartsWith("invocation/", StringComparison.Ordinal) && rest.Split('/') is [_, { Length: > 0 } id, var what] && what is "response" or "error")
            {
                route = new Route(what == "response" ? RouteKind.Response : RouteKind.Error, Uri.UnescapeDataString(id), "POST");
            }
            else
            {
                return new Route(RouteKind.None);
            }
            return string.Equals(method, route.Allow, StringComparison.OrdinalIgnoreCase) ? route : route with { Kind = RouteKind.WrongMethod };
        }
    }
}
