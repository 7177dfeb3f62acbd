using System.Globalization;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Errors;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;

namespace RunF.Serve.Http;

/// <summary>What both fronts need per request: an id for the log, and the exec timeout.</summary>
public static class Invocations
{
    private static long _next;

    /// <summary>The gateway's X-Call-Id when there is one, else a number of this server's.</summary>
    public static string IdOf(HttpRequest request) =>
        request.Headers["X-Call-Id"] is { Count: > 0 } callId && callId[0] is { Length: > 0 } id
            ? id
            : Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);

    /// <summary>exec_timeout as an Invocation takes it: no limit (0) is an infinite timeout.</summary>
    public static TimeSpan ExecTimeout(ServeConfig config) =>
        config.ExecTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : config.ExecTimeout;

    /// <summary>exec_timeout, shortened (never lengthened) by an X-Timeout header; null with a message when the header is not a duration.</summary>
    public static TimeSpan? TimeoutOf(HttpRequest request, ServeConfig config, out string? error)
    {
        error = null;
        if (request.Headers["X-Timeout"] is not { Count: > 0 } header || header[0] is not { Length: > 0 } text)
        {
            return ExecTimeout(config);
        }
        TimeSpan requested;
        try
        {
            requested = Duration.Parse(text, "X-Timeout");
        }
        catch (RunfException e)
        {
            error = e.Message;
            return null;
        }
        catch (OverflowException)
        {
            // A number past what TimeSpan holds: "Infinity", a huge count of seconds.
            error = $"invalid X-Timeout \"{text}\": expected a duration such as 30s, 500ms, 2m or 1h";
            return null;
        }
        return config.ExecTimeout == TimeSpan.Zero || requested < config.ExecTimeout ? requested : config.ExecTimeout;
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
}
