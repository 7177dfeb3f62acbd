using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Http;
using RunF.Serve.IO;
using RunF.Serve.Logging;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// OpenWhisk's action container contract, as its dockerskeleton proxy serves a native binary:
/// POST /init is acknowledged (the action is fprocess, there is nothing to install); POST /run
/// passes the body's "value" object as JSON on stdin and its other fields as __OW_* variables,
/// and answers with the last line of stdout, which must be a JSON object. Earlier stdout lines
/// and stderr are the activation's logs, each stream ended by the activation sentinel.
/// </summary>
public sealed class OpenWhiskFront(ServeConfig config, IFunctionInvoker invoker, ServeState state)
{
    public const string Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

    /// <summary>The proxy's message for a last line that is not a JSON object.</summary>
    public const string NotADictionary = "The action did not return a dictionary.";

    public async Task HandleAsync(HttpContext context)
    {
        var (method, path) = (context.Request.Method, context.Request.Path.Value);
        if (method == HttpMethods.Post && path == "/init")
        {
            await Json(context.Response, StatusCodes.Status200OK, w => w.WriteBoolean("ok", true));
        }
        else if (method == HttpMethods.Post && path == "/run")
        {
            await state.RunCountedAsync(context, () => RunAsync(context));
        }
        else
        {
            await Error(context.Response, StatusCodes.Status404NotFound, "openwhisk mode serves POST /init and POST /run");
        }
    }

    private async Task RunAsync(HttpContext context)
    {
        string parameters;
        List<string> env;
        string? error;
        try
        {
            (parameters, env, error) = await ReadRunAsync(context.Request);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's: the body broke off (400) or arrived slower than its minimum rate (408); the action does not run.
            await Error(context.Response, e.StatusCode, e.StatusCode == StatusCodes.Status408RequestTimeout
                ? "the run request's body arrived too slowly" : "the run request's body is incomplete");
            return;
        }
        if (error is not null)
        {
            await Error(context.Response, StatusCodes.Status400BadRequest, error);
            return;
        }
        using var stdout = new ResponseBuffer(config.MaxResponseSize);
        InvocationResult result;
        try
        {
            result = await invoker.InvokeAsync(new Invocation
            {
                Environment = env,
                Input = new MemoryStream(Encoding.UTF8.GetBytes(parameters)),
                Output = stdout,
                ErrorLine = ServeLog.Stderr,
                Timeout = Invocations.ExecTimeout(config),
            }, context.RequestAborted);
            state.Metrics.Started(result.Prewarmed);
        }
        catch (RunfException e)
        {
            EndActivation();
            await Error(context.Response, StatusCodes.Status502BadGateway, e.Message);
            return;
        }

        if (stdout.Overflowed)
        {
            EndActivation();
            await Error(context.Response, StatusCodes.Status502BadGateway, $"the action was killed: its output exceeded max_response_size ({ByteSize.Format(stdout.Limit)})");
            return;
        }
        var lines = stdout.ToUtf8String().Trim().Split('\n');
        foreach (var line in lines[..^1])
        {
            ServeLog.Stdout(line);
        }
        var last = lines[^1];
        if (result.TimedOut)
        {
            EndActivation();
            await Error(context.Response, StatusCodes.Status502BadGateway, $"the action exceeded its time limit of {Duration.Format(config.ExecTimeout)}");
        }
        else if (IsJsonObject(last))
        {
            EndActivation();
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(last);
        }
        else
        {
            ServeLog.Stdout(last);
            EndActivation();
            await Error(context.Response, StatusCodes.Status502BadGateway, NotADictionary);
        }
    }

    /// <summary>The "value" object as JSON text and the other fields as __OW_NAME=value, or why the body is not a run request.</summary>
    private static async Task<(string Parameters, List<string> Env, string? Error)> ReadRunAsync(HttpRequest request)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return ("", [], "the run request is not JSON: " + e.Message);
        }
        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ("", [], "the run request is not a JSON object");
            }
            var parameters = "{}";
            var env = new List<string>();
            foreach (var field in body.RootElement.EnumerateObject())
            {
                if (field.Name == "value")
                {
                    if (field.Value.ValueKind != JsonValueKind.Object)
                    {
                        return ("", [], "The action did not receive a dictionary as an argument.");
                    }
                    parameters = field.Value.GetRawText();
                }
                else
                {
                    var value = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : field.Value.GetRawText();
                    env.Add($"__OW_{field.Name.ToUpperInvariant()}={value}");
                }
            }
            return (parameters, env, null);
        }
    }

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>OpenWhisk reads an activation's logs up to this line on each stream.</summary>
    private static void EndActivation()
    {
        ServeLog.Stdout(Sentinel);
        ServeLog.Stderr(Sentinel);
    }

    private static Task Error(HttpResponse response, int status, string message) =>
        Json(response, status, w => w.WriteString("error", message));

    private static async Task Json(HttpResponse response, int status, Action<Utf8JsonWriter> fields)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }
        await response.Body.WriteAsync(buffer.ToArray());
    }
}
