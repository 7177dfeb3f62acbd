using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.IO;
using RunF.Serve.Logging;

namespace RunF.Serve.Http;

/// <summary>
/// The OpenFaaS watchdog's contract: each request, whatever its method (the of-watchdog's rule),
/// runs the function once, body on stdin, stdout as the response; streaming (sent as it comes) or
/// serializing (buffered, and a non-zero exit becomes a 500 with the error text).
/// </summary>
public sealed class WatchdogFront(ServeConfig config, IFunctionInvoker invoker, ServeState state)
{
    /// <summary>How much of a failed function's stderr a serializing 500 carries.</summary>
    private const int MaxErrorText = 64 * 1024;

    /// <summary>The of-watchdog's Content-Type when neither content_type nor the function sets one.</summary>
    public const string DefaultContentType = "application/octet-stream";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        await state.RunCountedAsync(context, async () =>
        {
            var timeout = Invocations.TimeoutOf(request, config, out var error);
            if (timeout is null)
            {
                await PlainText.WriteAsync(context.Response, StatusCodes.Status400BadRequest, error + "\n");
                return;
            }
            var id = Invocations.IdOf(request);
            var env = RequestEnvironment.For(request);
            using var body = new CheckedRequestBody(request.Body, request.ContentLength, config.ReadTimeout);
            await (config.Mode == ServeMode.Serializing
                ? SerializedAsync(context, id, env, body, timeout.Value)
                : StreamedAsync(context, id, env, body, timeout.Value));
        });
    }

    private async Task StreamedAsync(HttpContext context, string id, List<string> env, CheckedRequestBody body, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var output = new FirstByteResponseStream(context.Response, () => SetSuccessHeaders(context, Stopwatch.GetElapsedTime(started)));
        var result = await InvokeAsync(context, id, body, new Invocation
        {
            Environment = env,
            Input = body,
            Output = output,
            ErrorLine = line => ServeLog.Function(Prefix(id), line),
            MaxLineChars = config.LogBufferSize,
            CombineOutput = config.CombineOutput,
            Timeout = timeout,
        });
        if (result is null)
        {
            return;
        }
        if (output.Committed)
        {
            if (result.TimedOut)
            {
                // Status 200 is gone already: cut the response so the client sees it is incomplete.
                ServeLog.Info($"[{id}] function timed out after {Duration.Format(timeout)}, response cut");
                context.Abort();
            }
            else if (result.ExitCode != 0)
            {
                ServeLog.Info($"[{id}] function exited with status {result.ExitCode} after its response had started");
            }
            return;
        }
        if (result.TimedOut)
        {
            await TimedOut(context.Response, timeout);
        }
        else if (result.ExitCode != 0)
        {
            await PlainText.WriteAsync(context.Response, StatusCodes.Status500InternalServerError, ExitText(result));
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            SetSuccessHeaders(context, result.Duration);
        }
    }

    private async Task SerializedAsync(HttpContext context, string id, List<string> env, CheckedRequestBody body, TimeSpan timeout)
    {
        using var stdout = new ResponseBuffer(config.MaxResponseSize);
        var errorText = new StringBuilder();
        var result = await InvokeAsync(context, id, body, new Invocation
        {
            Environment = env,
            Input = body,
            Output = stdout,
            ErrorLine = line =>
            {
                ServeLog.Function(Prefix(id), line);
                lock (errorText)
                {
                    if (errorText.Length < MaxErrorText)
                    {
                        errorText.Append(line).Append('\n');
                    }
                }
            },
            MaxLineChars = config.LogBufferSize,
            CombineOutput = config.CombineOutput,
            Timeout = timeout,
        });
        if (result is null)
        {
            return;
        }
        if (stdout.Overflowed)
        {
            ServeLog.Info($"[{id}] function killed: its output exceeded max_response_size ({ByteSize.Format(stdout.Limit)})");
            await PlainText.WriteAsync(context.Response, StatusCodes.Status500InternalServerError,
                $"function killed: its output exceeded max_response_size ({ByteSize.Format(stdout.Limit)}); raise it (--max-response-size) or use streaming mode\n");
            return;
        }
        // As the of-watchdog's serializing mode: the duration goes with its error answers too.
        if (result.TimedOut)
        {
            context.Response.Headers["X-Duration-Seconds"] = Invocations.Seconds(result.Duration);
            await TimedOut(context.Response, timeout);
            return;
        }
        if (result.ExitCode != 0)
        {
            context.Response.Headers["X-Duration-Seconds"] = Invocations.Seconds(result.Duration);
            await PlainText.WriteAsync(context.Response, StatusCodes.Status500InternalServerError, ExitText(result) + errorText);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        SetSuccessHeaders(context, result.Duration);
        context.Response.ContentLength = stdout.Written;
        await stdout.SendAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>
    /// Runs the invocation; null when it could not run (a 500 has been sent), the client left, or
    /// the body did not arrive whole (400 or 408 sent, or the response cut when it had started).
    /// </summary>
    private async Task<InvocationResult?> InvokeAsync(HttpContext context, string id, CheckedRequestBody body, Invocation invocation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, body.Failed);
        var result = await RunAsync(context, id, invocation, stop.Token);
        if (body.Failure is { } failure)
        {
            // Whatever the function did, it ran on part of the body: never a success.
            ServeLog.Info($"[{id}] {failure.Message}: function killed");
            if (context.Response.HasStarted)
            {
                context.Abort();
            }
            else
            {
                context.Response.Headers.Connection = "close";
                await PlainText.WriteAsync(context.Response, failure.Status, failure.Message + "\n");
            }
            return null;
        }
        return result;
    }

    private async Task<InvocationResult?> RunAsync(HttpContext context, string id, Invocation invocation, CancellationToken stop)
    {
        try
        {
            var result = await invoker.InvokeAsync(invocation, stop);
            state.Metrics.Started(result.Prewarmed);
            return result;
        }
        catch (RunfException e)
        {
            ServeLog.Info($"[{id}] {e.Message}");
            if (!context.Response.HasStarted)
            {
                await PlainText.WriteAsync(context.Response, StatusCodes.Status500InternalServerError, e.Message + "\n");
            }
            return null;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                ServeLog.Info($"[{id}] client went away: function stopped");
            }
            return null;
        }
    }

    private void SetSuccessHeaders(HttpContext context, TimeSpan duration)
    {
        var headers = context.Response.Headers;
        headers["X-Duration-Seconds"] = Invocations.Seconds(duration);
        // As the of-watchdog: content_type when set, else application/octet-stream (not the request's, as the classic's).
        headers.ContentType = config.ContentType is { Length: > 0 } contentType ? contentType : DefaultContentType;
    }

    /// <summary>prefix_logs: each stderr line after the request's id, or as the function wrote it.</summary>
    private string Prefix(string id) => config.PrefixLogs ? $"[{id}] " : "";

    private static string ExitText(InvocationResult result) =>
        result.OutOfMemory ? "function killed: out of memory\n"
        : result.Signal is { } signal ? $"function killed by signal {signal}\n"
        : $"exit status {result.ExitCode}\n";

    /// <summary>504, as of-watchdog and the OpenFaaS gateway answer an upstream that ran out of time (docs/serve.md).</summary>
    private static Task TimedOut(HttpResponse response, TimeSpan timeout) =>
        PlainText.WriteAsync(response, StatusCodes.Status504GatewayTimeout, $"function timed out after {Duration.Format(timeout)}\n");
}
