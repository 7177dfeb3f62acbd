using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace RunF.Serve.Metrics;

/// <summary>
/// The watchdog's Prometheus metrics, kept with atomic counters and written as text format
/// 0.0.4 by hand (no client library: NativeAOT, and four metrics do not need one).
/// </summary>
public sealed class ServeMetrics
{
    /// <summary>Prometheus' default buckets, as the of-watchdog's histogram uses them.</summary>
    public static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(int Code, string Method), Series> _series = new();
    private long _inFlight;
    private long _coldStarts;
    private long _prewarmedStarts;

    /// <summary>One label set's request count and duration histogram.</summary>
    private sealed class Series
    {
        public readonly long[] BucketCounts = new long[Buckets.Length];
        public long Count;
        public long SumMicroseconds;
    }

    /// <summary>Containers set up and waiting now (--prewarm); 0 for runners without them.</summary>
    public Func<int> PrewarmedReady { get; set; } = () => 0;

    /// <summary>mode=http: times its server was started again after it exited; null in the other modes (not rendered).</summary>
    public Func<long>? ServerRestarts { get; set; }

    public void RequestStarted() => Interlocked.Increment(ref _inFlight);

    public void RequestFinished(int code, string method, TimeSpan duration)
    {
        Interlocked.Decrement(ref _inFlight);
        var series = _series.GetOrAdd((code, method.ToLowerInvariant()), _ => new Series());
        var seconds = duration.TotalSeconds;
        for (var i = 0; i < Buckets.Length; i++)
        {
            if (seconds <= Buckets[i])
            {
                Interlocked.Increment(ref series.BucketCounts[i]);
            }
        }
        Interlocked.Add(ref series.SumMicroseconds, (long)(seconds * 1e6));
        Interlocked.Increment(ref series.Count);
    }

    public void Started(bool prewarmed) => Interlocked.Increment(ref (prewarmed ? ref _prewarmedStarts : ref _coldStarts));

    public string Render()
    {
        var text = new StringBuilder();
        var series = _series.OrderBy(s => s.Key.Code).ThenBy(s => s.Key.Method, StringComparer.Ordinal).ToList();

        Header(text, "http_requests_total", "counter", "Function invocations by status code and method.");
        foreach (var (key, s) in series)
        {
            Line(text, "http_requests_total", Labels(key), Interlocked.Read(ref s.Count));
        }

        Header(text, "http_request_duration_seconds", "histogram", "Seconds spent serving function invocations.");
        foreach (var (key, s) in series)
        {
            var labels = Labels(key);
            for (var i = 0; i < Buckets.Length; i++)
            {
                Line(text, "http_request_duration_seconds_bucket", $"{labels},le=\"{Format(Buckets[i])}\"", Interlocked.Read(ref s.BucketCounts[i]));
            }
            var count = Interlocked.Read(ref s.Count);
            Line(text, "http_request_duration_seconds_bucket", $"{labels},le=\"+Inf\"", count);
            text.Append(CultureInfo.InvariantCulture, $"http_request_duration_seconds_sum{{{labels}}} {Format(Interlocked.Read(ref s.SumMicroseconds) / 1e6)}\n");
            Line(text, "http_request_duration_seconds_count", labels, count);
        }

        Header(text, "http_requests_in_flight", "gauge", "Function invocations being served.");
        text.Append(CultureInfo.InvariantCulture, $"http_requests_in_flight {Interlocked.Read(ref _inFlight)}\n");

        Header(text, "runf_starts_total", "counter", "Function starts by kind: cold, or served by a prewarmed container.");
        Line(text, "runf_starts_total", "kind=\"cold\"", Interlocked.Read(ref _coldStarts));
        Line(text, "runf_starts_total", "kind=\"prewarmed\"", Interlocked.Read(ref _prewarmedStarts));

        Header(text, "runf_prewarmed_containers", "gauge", "Containers set up and waiting for an invocation.");
        text.Append(CultureInfo.InvariantCulture, $"runf_prewarmed_containers {PrewarmedReady()}\n");

        if (ServerRestarts is { } restarts)
        {
            Header(text, "runf_server_restarts_total", "counter", "mode=http and mode=fn: times the function's server (a hot container) was started again after it exited.");
            text.Append(CultureInfo.InvariantCulture, $"runf_server_restarts_total {restarts()}\n");
        }
        return text.ToString();
    }

    private static string Labels((int Code, string Method) key) => $"code=\"{key.Code}\",method=\"{key.Method}\"";

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Line(StringBuilder text, string name, string labels, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value}\n");

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
