using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using RunF.Serve.Metrics;

namespace RunF.Serve.Http;

/// <summary>What the fronts and the health endpoints share: readiness, the max_inflight gate, the requests in flight, the metrics.</summary>
public sealed class ServeState(int maxInflight)
{
    private volatile bool _ready;
    private volatile bool _draining;

    public InflightGate Gate { get; } = new(maxInflight);
    public RequestDrain Requests { get; } = new();
    public ServeMetrics Metrics { get; } = new();

    /// <summary>Whether the function can take requests now: mode=http's server is up (always true in the other modes).</summary>
    public Func<bool> FunctionUp { get; set; } = () => true;

    /// <summary>Ready once listening with the function ready to run; no longer once SIGTERM arrived, nor while mode=http's server is down.</summary>
    public bool Ready => _ready && !_draining && FunctionUp();

    /// <summary>Why not Ready, for the 503's body.</summary>
    public string NotReadyReason => _draining ? "not ready: shutting down\n" : _ready && !FunctionUp() ? "not ready: the function's server is not up\n" : "not ready\n";

    public void MarkReady() => _ready = true;

    public void MarkDraining() => _draining = true;

    /// <summary>Runs one invocation inside the max_inflight gate (429 past it) and counts it in the metrics.</summary>
    public async Task RunCountedAsync(HttpContext context, Func<Task> invoke)
    {
        var started = Stopwatch.GetTimestamp();
        Metrics.RequestStarted();
        try
        {
            if (!Gate.TryEnter())
            {
                context.Response.Headers["X-OpenFaaS-Internal"] = "of-watchdog";
                await PlainText.WriteAsync(context.Response, StatusCodes.Status429TooManyRequests,
                    $"Concurrent request limit exceeded. Max concurrent requests: {Gate.Limit}\n", "text/plain");
                return;
            }
            try
            {
                await invoke();
            }
            finally
            {
                Gate.Exit();
            }
        }
        finally
        {
            Metrics.RequestFinished(context.Response.StatusCode, context.Request.Method, Stopwatch.GetElapsedTime(started));
        }
    }
}
