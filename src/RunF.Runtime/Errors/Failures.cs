using System.Text;
using RunF.RootfsTools;
using RunF.Runtime.IO;
using Serilog;
using Serilog.Events;

namespace RunF.Runtime.Errors;

/// <summary>
/// The one place a failure becomes what the user sees: one line on stderr ("runf: " + message,
/// or a JSON event with --log-format json) and a documented exit code, never a stack trace.
/// runf's verbs and runf serve both run through it.
/// </summary>
public static class Failures
{
    /// <summary>Runs body; a failure the user can act on becomes its line and exit code.</summary>
    public static int Report(Func<int> body, string program, bool json = false)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Describe(e) is var (message, exitCode))
        {
            if (Log.IsEnabled(LogEventLevel.Debug))
            {
                Log.Debug(e, "{Program} failed", program);
            }
            Console.Error.WriteLine(json ? Json(message, exitCode) : $"{program}: {message}");
            return exitCode;
        }
    }

    /// <summary>The line and exit code of a failure, or null for a bug (which must show its stack trace).</summary>
    private static (string Message, int ExitCode)? Describe(Exception e) => e switch
    {
        RunfException r => (r.Message, r.ExitCode),
        RootfsException r => (r.Message, ExitCodes.RunfError),
        IOException or UnauthorizedAccessException => (e.Message.ToLowerInvariant().TrimEnd('.'), ExitCodes.RunfError),
        _ => null,
    };

    /// <summary>A Serilog compact JSON event ({"@t", "@l", "@m"}): a log collector sees errors as it sees every other line.</summary>
    private static string Json(string message, int exitCode) =>
        Encoding.UTF8.GetString(JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("@t", DateTimeOffset.UtcNow.ToString("O"));
            json.WriteString("@l", "Error");
            json.WriteString("@m", message);
            json.WriteNumber("ExitCode", exitCode);
            json.WriteEndObject();
        }));
}
