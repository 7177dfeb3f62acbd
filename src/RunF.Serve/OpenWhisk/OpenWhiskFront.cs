using Microsoft.AspNetCore.Http;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Http;
using RunF.Serve.Logging;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// OpenWhisk's action container contract: POST /init installs the action once (its code into a
/// directory of the agent's, bound read-only at /action; fprocess is the blackbox action when no
/// code comes), POST /run runs one activation of it, by mode: a process per activation as
/// actionproxy.py (mode=openwhisk) or one long-lived process fed a line per activation as the
/// Go actionloop proxy (mode=openwhisk-loop). Answers and error texts are the proxies' own
/// (ProxyWording); every /run ends the activation's log with the sentinel on both streams.
/// </summary>
public sealed class OpenWhiskFront : IAsyncDisposable
{
    /// <summary>An /init body may hold the base64 of max_action_size, and JSON around it.</summary>
    private const long InitOverhead = 1 << 20;

    private readonly ServeConfig _config;
    private readonly Func<ServeConfig, Task<IFunctionInvoker>> _createInvoker;
    private readonly ServeState _state;
    private readonly ActionSlot _action = new();
    private readonly SemaphoreSlim _init = new(1, 1);
    private ActionDirectory? _directory;
    private bool _initialized;

    private OpenWhiskFront(ServeConfig config, Func<ServeConfig, Task<IFunctionInvoker>> createInvoker, ServeState state)
    {
        _config = config;
        _createInvoker = createInvoker;
        _state = state;
    }

    private bool Loop => _config.Mode == ServeMode.OpenWhiskLoop;

    /// <summary>Containers ready now, for the metrics and readiness.</summary>
    public int Prewarmed => _action.Prewarmed;

    /// <summary>
    /// With fprocess, starts it as the blackbox action, so that what cannot run fails at start-up
    /// as in the other modes; without, the first /init brings the action.
    /// </summary>
    public static async Task<OpenWhiskFront> CreateAsync(ServeConfig config, Func<ServeConfig, Task<IFunctionInvoker>> createInvoker, ServeState state)
    {
        var front = new OpenWhiskFront(config, createInvoker, state);
        try
        {
            ActionDirectory.SweepStale();
            if (config.Command.Count > 0)
            {
                front._action.Replace(await front.StartAsync(config));
            }
            // (A rootfs that is not there is not runf's: the process baseline runs without one.)
            if (Directory.Exists(config.Rootfs) && !Directory.Exists(Path.Combine(config.Rootfs, "action")))
            {
                ServeLog.Info($"rootfs {config.Rootfs} has no /action directory: an /init with code will fail until it is made (mkdir {Path.Combine(config.Rootfs, "action")}): runf never writes into a rootfs");
            }
        }
        catch
        {
            await front.DisposeAsync();
            throw;
        }
        return front;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var (method, path) = (context.Request.Method, context.Request.Path.Value);
        if (path is "/init" or "/run" && method != HttpMethods.Post)
        {
            context.Response.Headers.Allow = "POST";
            await OpenWhiskJson.WriteAsync(context.Response, StatusCodes.Status405MethodNotAllowed, OpenWhiskJson.Error($"{path} takes POST"));
        }
        else if (path == "/init")
        {
            await InitAsync(context);
        }
        else if (path == "/run")
        {
            await _state.RunCountedAsync(context, () => RunAsync(context));
        }
        else
        {
            await OpenWhiskJson.WriteAsync(context.Response, StatusCodes.Status404NotFound, OpenWhiskJson.Error("OpenWhisk's action container serves POST /init and POST /run"));
        }
    }

    private async Task InitAsync(HttpContext context)
    {
        await _init.WaitAsync(context.RequestAborted);
        try
        {
            if (_initialized)
            {
                ServeLog.Stderr(ProxyWording.InitializedTwice);
                await OpenWhiskJson.WriteAsync(context.Response, StatusCodes.Status403Forbidden, OpenWhiskJson.Error(ProxyWording.InitializedTwice));
                return;
            }
            var limit = _config.MaxActionSize / 3 * 4 + InitOverhead;
            if (await ReadBodyAsync(context, limit) is not { } body)
            {
                return;
            }
            var answer = await InstallAsync(body);
            await OpenWhiskJson.WriteAsync(context.Response, answer.Status, answer.Body);
        }
        finally
        {
            _init.Release();
        }
    }

    /// <summary>Installs and starts the action of an /init body; what went wrong is logged and answered.</summary>
    private async Task<ActivationAnswer> InstallAsync(byte[] body)
    {
        InitRequest? request;
        string? notAnObject;
        try
        {
            request = InitRequest.Parse(body, out notAnObject);
        }
        catch (ActionCodeException e)
        {
            return InitFailed(e.Message, e);
        }
        if (request is null)
        {
            return ActivationAnswer.Error(StatusCodes.Status404NotFound, notAnObject!);
        }
        if (string.IsNullOrEmpty(request.Code))
        {
            return await BlackboxAsync(request);
        }
        try
        {
            _directory ??= ActionDirectory.Create();
            using (var code = _directory.CreateCode())
            {
                ActionInstaller.Install(code, request.Code, request.Binary, _config.MaxActionSize);
            }
            var action = new InstalledAction(_directory.CodePath, request.Env);
            _action.Replace(await StartAsync(_config with { Command = [InstalledAction.Executable], Action = action }));
        }
        catch (Exception e) when (e is ActionCodeException or RunfException)
        {
            _directory?.RemoveCode();
            return InitFailed(e.Message, e);
        }
        _initialized = true;
        ServeLog.Info($"/init: the action is installed ({(request.Binary ? "binary" : "text")}{(request.Main is { } main ? $", main {main}" : "")})");
        return new ActivationAnswer(StatusCodes.Status200OK, OpenWhiskJson.Ok);
    }

    /// <summary>An /init without code: fprocess is the action (with the init's env, if any).</summary>
    private async Task<ActivationAnswer> BlackboxAsync(InitRequest request)
    {
        if (_config.Command.Count == 0)
        {
            return Loop
                ? ActivationAnswer.Error(StatusCodes.Status403Forbidden, ProxyWording.NoCode)
                : InitFailed("the /init request has no code, and runf serve has no fprocess to run in its place", null);
        }
        if (request.Env.Count > 0)
        {
            try
            {
                _action.Replace(await StartAsync(_config with { Action = new InstalledAction(null, request.Env) }));
            }
            catch (RunfException e)
            {
                return InitFailed(e.Message, e);
            }
        }
        _initialized = true;
        return new ActivationAnswer(StatusCodes.Status200OK, OpenWhiskJson.Ok);
    }

    /// <summary>
    /// The reason goes to the log, then the sentinels; the answer is actionproxy.py's (which says
    /// to see the logs) for code it cannot install, or the reason itself in the actionloop mode
    /// (as the Go proxy answers) and when runf cannot run the action (the rootfs lacks /action...).
    /// </summary>
    private ActivationAnswer InitFailed(string reason, Exception? e)
    {
        ServeLog.Info("/init: " + reason);
        EndActivation();
        return Loop || e is RunfException
            ? ActivationAnswer.Error(StatusCodes.Status502BadGateway, reason)
            : ActivationAnswer.Error(StatusCodes.Status502BadGateway, ProxyWording.CannotInstall);
    }

    private async Task RunAsync(HttpContext context)
    {
        if (await ReadBodyAsync(context, long.MaxValue) is not { } body)
        {
            return;
        }
        var answer = await ActivateAsync(body, context.RequestAborted);
        if (answer.Prewarmed is { } prewarmed)
        {
            _state.Metrics.Started(prewarmed);
        }
        EndActivation();
        await OpenWhiskJson.WriteAsync(context.Response, answer.Status, answer.Body);
    }

    private async Task<ActivationAnswer> ActivateAsync(byte[] body, CancellationToken cancellationToken)
    {
        if (RunMessage.Parse(body, out var status, out var error) is not { } message)
        {
            return ActivationAnswer.Error(status, error!);
        }
        using var action = _action.Take();
        if (action is null)
        {
            return Loop
                ? ActivationAnswer.Error(StatusCodes.Status500InternalServerError, ProxyWording.NoActionYet)
                : ActivationAnswer.Error(StatusCodes.Status502BadGateway, ProxyWording.NoBinary);
        }
        return await action.Activations.RunAsync(message, cancellationToken);
    }

    private async Task<IActivations> StartAsync(ServeConfig config)
    {
        if (config.Mode == ServeMode.OpenWhiskLoop)
        {
            var loop = await FunctionContainers.CreateLoopAsync(config, new LoopLogs(ServeLog.Stdout, ServeLog.Stderr));
            return new LoopActivations(loop, config);
        }
        return new ProcessActivations(await _createInvoker(config), config);
    }

    /// <summary>
    /// The whole body, or null once the request has been answered: larger than limit (413), or
    /// broken off (400) or too slow (408, Kestrel's minimum rate); then nothing runs.
    /// </summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        var tooLarge = OpenWhiskJson.Error($"the {request.Path.Value} request is larger than max_action_size allows: raise --max-action-size");
        if (request.ContentLength > limit)
        {
            await OpenWhiskJson.WriteAsync(context.Response, StatusCodes.Status413PayloadTooLarge, tooLarge);
            return null;
        }
        using var body = new MemoryStream();
        try
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                if (body.Length + n > limit)
                {
                    await OpenWhiskJson.WriteAsync(context.Response, StatusCodes.Status413PayloadTooLarge, tooLarge);
                    return null;
                }
                body.Write(buffer, 0, n);
            }
        }
        catch (BadHttpRequestException e)
        {
            await OpenWhiskJson.WriteAsync(context.Response, e.StatusCode, OpenWhiskJson.Error(e.StatusCode == StatusCodes.Status408RequestTimeout
                ? $"the {request.Path.Value} request's body arrived too slowly" : $"the {request.Path.Value} request's body is incomplete"));
            return null;
        }
        return body.ToArray();
    }

    /// <summary>OpenWhisk reads an activation's logs up to this line on each stream.</summary>
    private static void EndActivation()
    {
        ServeLog.Stdout(ProxyWording.Sentinel);
        ServeLog.Stderr(ProxyWording.Sentinel);
    }

    public async ValueTask DisposeAsync()
    {
        await _action.DisposeAsync();
        _directory?.Dispose();
        _init.Dispose();
    }
}
