using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Http;
using RunF.Serve.IO;
using RunF.Serve.Logging;

namespace RunF.Serve.Fn;

/// <summary>
/// mode=fn's front, Fn's server and agent in one: POST /invoke/{fn_fn_id} is Fn's invoke
/// endpoint, every other path (and method) its HTTP trigger (FnHeaders). Each call takes a hot
/// container, is sent to its FDK as POST /call over the unix socket with Fn-Call-Id and
/// Fn-Deadline (now + exec_timeout), and its answer, read whole up to max_response_size as Fn
/// buffers it, is returned with Content-Length. Fn's contract decides the rest: the FDK's 200 is
/// the answer, its 502 a failed function (502 "function failed", the container stays), its 504 a
/// timeout; any other status, a socket error or the call's timeout replace the container.
/// </summary>
internal sealed class FnFront(ServeConfig config, FnHotContainers containers, ServeState state)
{
    private const string InvokePrefix = "/invoke/";

    public Task HandleAsync(HttpContext context) => state.RunCountedAsync(context, () => RouteAsync(context));

    private Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (!path.StartsWith(InvokePrefix, StringComparison.Ordinal))
        {
            return CallAsync(context, trigger: true);
        }
        if (path[InvokePrefix.Length..] != config.FnFnId)
        {
            return FnErrors.WriteAsync(context.Response, StatusCodes.Status404NotFound, FnErrors.FnNotFound);
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            return FnErrors.WriteAsync(context.Response, StatusCodes.Status405MethodNotAllowed, $"Method not allowed: {request.Method} {path}");
        }
        return CallAsync(context, trigger: false);
    }

    private async Task CallAsync(HttpContext context, bool trigger)
    {
        var id = FnCallId.New();
        var response = context.Response;
        response.Headers[FnHeaders.CallId] = id;
        var timeout = Invocations.ExecTimeout(config);
        using var deadline = new CancellationTokenSource(timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline.Token);
        FnHotContainer container;
        try
        {
            container = await containers.TakeAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            if (deadline.IsCancellationRequested)
            {
                ServeLog.Info($"[{id}] no hot container was free within {Duration.Format(timeout)}");
                response.Headers.RetryAfter = "15";
                await FnErrors.WriteAsync(response, StatusCodes.Status503ServiceUnavailable, FnErrors.ServerBusy);
            }
            return;
        }
        try
        {
            await CallContainerAsync(context, trigger, id, container, timeout, deadline, stop.Token);
        }
        finally
        {
            containers.Return(container);
        }
    }

    private async Task CallContainerAsync(HttpContext context, bool trigger, string id, FnHotContainer container, TimeSpan timeout, CancellationTokenSource deadline, CancellationToken stop)
    {
        var response = context.Response;
        try
        {
            await container.Server.WhenUpAsync(stop);
        }
        catch (OperationCanceledException)
        {
            if (deadline.IsCancellationRequested)
            {
                ServeLog.Info($"[{id}] the hot container's socket was not up within {Duration.Format(timeout)}");
                await FnErrors.WriteAsync(response, StatusCodes.Status504GatewayTimeout, FnErrors.InitTimeout);
            }
            return;
        }
        var serving = container.Server.Running;
        using var message = CallFor(context.Request, trigger, id, timeout);
        using var body = new ResponseBuffer(config.MaxResponseSize);
        HttpResponseMessage answer;
        try
        {
            answer = await container.Client.SendAsync(message, stop);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            await FailedAsync(context, id, () => container.Replace(serving), deadline, FnErrors.FunctionResponse, e);
            return;
        }
        using (answer)
        {
            switch (answer.StatusCode)
            {
                case HttpStatusCode.OK:
                    break;
                case HttpStatusCode.BadGateway:
                    ServeLog.Info($"[{id}] the function failed (the FDK answered 502)");
                    await FnErrors.WriteAsync(response, StatusCodes.Status502BadGateway, FnErrors.FunctionFailed);
                    return;
                case HttpStatusCode.GatewayTimeout:
                    ServeLog.Info($"[{id}] the FDK answered 504: the function timed out");
                    await FnErrors.WriteAsync(response, StatusCodes.Status504GatewayTimeout, FnErrors.TimedOut);
                    return;
                default:
                    ServeLog.Info($"[{id}] the FDK answered {(int)answer.StatusCode}, which the contract does not allow: replacing its container");
                    container.Replace(serving);
                    await FnErrors.WriteAsync(response, StatusCodes.Status502BadGateway, FnErrors.InvalidResponse);
                    return;
            }
            try
            {
                await using var content = await answer.Content.ReadAsStreamAsync(stop);
                await content.CopyToAsync(body, 64 * 1024, stop);
            }
            catch (IOException) when (body.Overflowed)
            {
                ServeLog.Info($"[{id}] the function's response exceeds max_response_size ({ByteSize.Format(body.Limit)})");
                await FnErrors.WriteAsync(response, StatusCodes.Status502BadGateway, FnErrors.ResponseTooBig);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                await FailedAsync(context, id, () => container.Replace(serving), deadline, FnErrors.FunctionResponse, e);
                return;
            }
            CopyHead(answer, response, trigger);
        }
        response.ContentLength = body.Written;
        await body.SendAsync(response.Body, context.RequestAborted);
    }

    /// <summary>The call to the FDK: POST /call with the client's body and the headers of Fn's front (FnHeaders).</summary>
    private static HttpRequestMessage CallFor(HttpRequest request, bool trigger, string id, TimeSpan timeout)
    {
        var content = new StreamContent(request.Body);
        content.Headers.ContentLength = request.ContentLength ?? (request.Headers.TransferEncoding.Count > 0 ? null : 0);
        var message = new HttpRequestMessage(HttpMethod.Post, "http://localhost/call") { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = content };
        var headers = trigger
            ? FnHeaders.ForTrigger(request.Headers, request.Headers.Connection, request.Method, request.GetDisplayUrl())
            : FnHeaders.ForInvoke(request.Headers, request.Headers.Connection);
        foreach (var (name, values) in headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        message.Headers.TryAddWithoutValidation(FnHeaders.CallId, id);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            message.Headers.TryAddWithoutValidation(FnHeaders.Deadline, FnHeaders.DeadlineOf(DateTimeOffset.UtcNow + timeout));
        }
        return message;
    }

    /// <summary>The FDK's headers onto the client's response, as the front maps them; the status the trigger's Fn-Http-Status sets.</summary>
    private static void CopyHead(HttpResponseMessage answer, HttpResponse response, bool trigger)
    {
        var all = answer.Headers.NonValidated.Concat(answer.Content.Headers.NonValidated)
            .Select(h => new KeyValuePair<string, StringValues>(h.Key, new StringValues([.. h.Value])));
        var connection = answer.Headers.NonValidated.TryGetValues("Connection", out var c) ? new StringValues([.. c]) : StringValues.Empty;
        IEnumerable<KeyValuePair<string, StringValues>> headers;
        if (trigger)
        {
            (response.StatusCode, var mapped) = FnHeaders.FromTrigger(all);
            headers = mapped;
        }
        else
        {
            headers = FnHeaders.FromInvoke(all, connection);
        }
        foreach (var (name, values) in headers)
        {
            response.Headers[name] = values;
        }
    }

    /// <summary>The call ended without an answer: the call's timeout (504), or the socket failed (502); either replaces the container. A client that went away gets nothing.</summary>
    private static async Task FailedAsync(HttpContext context, string id, Action replace, CancellationTokenSource deadline, string message, Exception e)
    {
        if (!deadline.IsCancellationRequested && context.RequestAborted.IsCancellationRequested)
        {
            ServeLog.Info($"[{id}] client went away: call to the function stopped");
            return;
        }
        replace();
        var (status, text) = deadline.IsCancellationRequested
            ? (StatusCodes.Status504GatewayTimeout, FnErrors.TimedOut)
            : (StatusCodes.Status502BadGateway, message);
        ServeLog.Info($"[{id}] {(deadline.IsCancellationRequested ? "the call timed out" : $"the call failed: {e.Message}")}: replacing the hot container");
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }
        context.Response.Clear();
        context.Response.Headers[FnHeaders.CallId] = id;
        await FnErrors.WriteAsync(context.Response, status, text);
    }
}
