using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Fn;
using RunF.Serve.Http;
using RunF.Serve.HttpMode;
using RunF.Serve.Lambda;
using RunF.Serve.Logging;
using RunF.Serve.OpenWhisk;

namespace RunF.Serve;

/// <summary>
/// Kestrel on two ports (the function on port, Prometheus on metrics_port), readiness and the
/// lock file, and the watchdog's shutdown: on SIGTERM fail readiness and remove the lock file,
/// keep serving for healthcheck_interval, then refuse new requests (503) and drain for up to
/// write_timeout, cut what is left, and close the listeners once no function runs.
/// </summary>
public static class ServeHost
{
    /// <summary>The answer to a request that arrives after healthcheck_interval, while in-flight requests drain.</summary>
    public const string ShuttingDown = "runf serve is shutting down: send the request to another instance\n";

    /// <summary>Serves the function with runf containers, as runf-serve does.</summary>
    public static Task<int> RunAsync(ServeConfig config) => RunAsync(config, FunctionContainers.RunnerName, FunctionContainers.CreateAsync);

    /// <summary>Serves the function with the invoker createInvoker makes (the benchmark baselines bring their own); runner names it in the log.</summary>
    public static async Task<int> RunAsync(ServeConfig config, string runner, Func<ServeConfig, Task<IFunctionInvoker>> createInvoker)
    {
        var state = new ServeState(config.MaxInflight);
        // mode=http runs one long-running server, mode=fn its hot containers; OpenWhisk's front makes
        // its invokers itself (/init may bring another action); the other modes run an invoker's
        // container per request.
        await using IRunningFunction? upstream = config.Mode switch
        {
            ServeMode.Http => FunctionContainers.CreateServer(config),
            ServeMode.Fn => FunctionContainers.CreateHot(config),
            _ => null,
        };
        using var upstreamClient = upstream is UpstreamServer ? new UpstreamClient(config.UpstreamUrl) : null;
        await using var openWhisk = config.IsOpenWhisk ? await OpenWhiskFront.CreateAsync(config, createInvoker, state) : null;
        await using var runtimes = config.Mode == ServeMode.Lambda ? FunctionContainers.CreateRuntimes(config) : null;
        var lambda = runtimes is null ? null : new LambdaFront(config, runtimes, state);
        await using var invoker = config.IsOpenWhisk || upstream is not null || runtimes is not null ? null : await createInvoker(config);
        RequestDelegate front;
        if (lambda is not null)
        {
            state.Metrics.PrewarmedReady = () => runtimes!.IdlePrewarmed;
            front = lambda.HandleAsync;
        }
        else if (upstream is not null)
        {
            state.FunctionUp = () => upstream.IsUp;
            state.Metrics.ServerRestarts = () => upstream.Restarts;
            front = upstream is FnHotContainers hot ? new FnFront(config, hot, state).HandleAsync : new HttpModeFront(config, (UpstreamServer)upstream, upstreamClient!, state).HandleAsync;
        }
        else
        {
            state.Metrics.PrewarmedReady = () => openWhisk?.Prewarmed ?? invoker!.Prewarmed;
            front = openWhisk is not null ? openWhisk.HandleAsync : new WatchdogFront(config, invoker!, state).HandleAsync;
        }

        // No appsettings.json to reload: without this the host watches its working directory
        // (inotify) and wakes up for every file written there, the agent's own log included.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.WriteTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.RequestHeadersTimeout = config.ReadTimeout;
            if (config.Listen is { } address)
            {
                kestrel.Listen(address, config.Port);
                kestrel.Listen(address, config.MetricsPort);
            }
            else
            {
                kestrel.ListenAnyIP(config.Port);
                kestrel.ListenAnyIP(config.MetricsPort);
            }
            runtimes?.Listen(kestrel);
        });
        await using var app = builder.Build();
        app.Run(context => lambda is not null && lambda.IsRuntimeApi(context) ? lambda.ServeRuntimeApiAsync(context) : DispatchAsync(context, config, state, front));

        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            throw new RunfException($"cannot listen on ports {config.Port} and {config.MetricsPort}: {e.Message}: choose free ones with --port and --metrics-port");
        }
        if (runtimes is not null)
        {
            await runtimes.StartAsync();
        }
        state.MarkReady();
        var ready = false;
        if (upstream is not null)
        {
            // Ready (and the lock file written) once the function's server accepts connections.
            await upstream.StartAsync();
            var up = upstream.WhenUpAsync(CancellationToken.None);
            await Task.WhenAny(up, shutdown.Task);
            ready = up.IsCompletedSuccessfully;
        }
        else
        {
            ready = true;
        }
        if (ready)
        {
            LockFile.Create(config.LockFile);
            var function = runtimes is not null ? string.Join(' ', runtimes.Command) : config.Command.Count > 0 ? string.Join(' ', config.Command) : "the action /init brings";
            var runs = upstream is not null ? upstream.Where
                : runtimes is not null ? $"{runtimes.Count} runtime(s), runtime API ports {string.Join(',', Enumerable.Range(0, runtimes.Count).Select(i => runtimes.PortOf(i)))}"
                : $"runner {runner}";
            ServeLog.Info($"ready: {function} ({ModeName(config.Mode)}, {runs}) on port {config.Port}, metrics on port {config.MetricsPort}");
        }

        await shutdown.Task;
        state.MarkDraining();
        if (ready)
        {
            LockFile.Remove(config.LockFile);
        }
        var serving = config.HealthcheckInterval > TimeSpan.Zero ? $"served for {Duration.Format(config.HealthcheckInterval)} more, then " : "";
        ServeLog.Info($"stopping: readiness fails now; new requests are {serving}refused while those in flight drain (up to {Duration.Format(config.WriteTimeout)})");
        if (config.HealthcheckInterval > TimeSpan.Zero)
        {
            await Task.Delay(config.HealthcheckInterval);
        }
        var drained = state.Requests.CloseAsync();
        if (await Task.WhenAny(drained, Task.Delay(config.WriteTimeout)) != drained)
        {
            ServeLog.Info($"write_timeout ({Duration.Format(config.WriteTimeout)}) passed: cutting the requests still in flight, killing their functions");
            state.Requests.CutInFlight();
            await drained;
        }
        if (upstream is not null)
        {
            await upstream.StopAsync();
        }
        if (runtimes is not null)
        {
            await runtimes.StopAsync();
        }
        // Only now: no function is left that could take the port (RequestDrain).
        await app.StopAsync();
        ServeLog.Info("stopped");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // runf serve exits by itself, after draining
            shutdown.TrySetResult();
        }
    }

    private static async Task DispatchAsync(HttpContext context, ServeConfig config, ServeState state, RequestDelegate front)
    {
        var path = context.Request.Path.Value ?? "/";
        try
        {
            if (context.Connection.LocalPort == config.MetricsPort)
            {
                await (path == "/metrics"
                    ? PlainText.WriteAsync(context.Response, StatusCodes.Status200OK, state.Metrics.Render(), "text/plain; version=0.0.4; charset=utf-8")
                    : PlainText.WriteAsync(context.Response, StatusCodes.Status404NotFound, "not found: metrics are at /metrics\n"));
            }
            else if (!state.Requests.TryEnter())
            {
                context.Response.Headers.Connection = "close";
                await PlainText.WriteAsync(context.Response, StatusCodes.Status503ServiceUnavailable, ShuttingDown);
            }
            else
            {
                try
                {
                    using var cut = state.Requests.Cut.Register(context.Abort);
                    await ServeAsync(context, path, state, front);
                }
                finally
                {
                    state.Requests.Exit();
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ServeLog.Info($"{context.Request.Method} {path}: {e.GetType().Name}: {e.Message}");
            if (!context.Response.HasStarted)
            {
                await PlainText.WriteAsync(context.Response, StatusCodes.Status500InternalServerError, "runf serve: internal error\n");
            }
        }
    }

    /// <summary>
    /// A request on the function port: health, readiness, or an invocation. The health endpoints
    /// answer GET only (405 otherwise), as the watchdogs'; /_/ready's 200 is empty, as the of-watchdog's.
    /// </summary>
    private static Task ServeAsync(HttpContext context, string path, ServeState state, RequestDelegate front) => path switch
    {
        "/_/health" or "/_/ready" when !HttpMethods.IsGet(context.Request.Method) => MethodNotAllowed(context.Response),
        "/_/health" => state.Ready ? PlainText.WriteAsync(context.Response, 200, "OK") : PlainText.WriteAsync(context.Response, 503, state.NotReadyReason),
        "/_/ready" => !state.Ready ? PlainText.WriteAsync(context.Response, 503, state.NotReadyReason)
            : state.Gate.AtLimit ? PlainText.WriteAsync(context.Response, 429, "at max_inflight\n")
            : Task.CompletedTask,
        _ when path.StartsWith("/_/", StringComparison.Ordinal) => PlainText.WriteAsync(context.Response, StatusCodes.Status404NotFound, "not found\n"),
        _ => front(context),
    };

    private static Task MethodNotAllowed(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        response.Headers.Allow = "GET";
        return Task.CompletedTask;
    }

    private static string ModeName(ServeMode mode) => mode == ServeMode.OpenWhiskLoop ? "openwhisk-loop" : mode.ToString().ToLowerInvariant();

    /// <summary>No console lifetime: runf serve handles SIGTERM and SIGINT itself, to drain as the watchdog does.</summary>
    private sealed class SignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
