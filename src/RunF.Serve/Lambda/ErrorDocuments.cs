using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RunF.Serve.Lambda;

/// <summary>
/// The JSON documents of Lambda's errors, and the error types a runtime may give: as the
/// emulator's (rapi/model, fatalerror), in its words.
/// </summary>
public static partial class ErrorDocuments
{
    public const string RuntimeExit = "Runtime.ExitError";
    public const string Timedout = "Sandbox.Timedout";
    public const string RuntimeUnknown = "Runtime.Unknown";
    public const string FunctionUnknown = "Function.Unknown";
    public const string ResponseTooLarge = "Function.ResponseSizeTooLarge";

    /// <summary>{"errorMessage":..., "errorType":...}, as the emulator renders an error.</summary>
    public static byte[] Document(string errorType, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("errorMessage", message);
            json.WriteString("errorType", errorType);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The runtime API's own refusals: {"errorMessage", "errorType"} (InvalidRequestID, InvalidStateTransition...).</summary>
    public static string ApiError(string errorType, string message) => Encoding.UTF8.GetString(Document(errorType, message));

    /// <summary>
    /// Lambda-Runtime-Function-Error-Type as the emulator keeps it: Runtime.X or Function.X (X a
    /// capitalised word), else Function.Unknown for another Function. one, else Runtime.Unknown.
    /// </summary>
    public static string ValidErrorType(string? given) =>
        given is not null && ValidType().IsMatch(given) ? given
        : given is not null && given.StartsWith("Function.", StringComparison.Ordinal) ? FunctionUnknown
        : RuntimeUnknown;

    /// <summary>How Go's exec package describes an exit, which the emulator's Runtime.ExitError message quotes.</summary>
    public static string ExitDescription(int exitCode, int? signal) =>
        signal is { } s ? $"Runtime exited with error: signal: {SignalName(s)}"
        : exitCode == 0 ? "Runtime exited without providing a reason"
        : $"Runtime exited with error: exit status {exitCode.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The timeout's message: "Task timed out after 3.00 seconds".</summary>
    public static string TimedOut(TimeSpan timeout) =>
        $"Task timed out after {timeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} seconds";

    private static string SignalName(int signal) => signal switch
    {
        9 => "killed",
        15 => "terminated",
        11 => "segmentation fault",
        6 => "aborted",
        2 => "interrupt",
        1 => "hangup",
        _ => $"signal {signal.ToString(CultureInfo.InvariantCulture)}",
    };

    // The emulator's pattern, unanchored as it is: a type that contains Runtime.X or Function.X.
    [GeneratedRegex(@"(Runtime|Function)\.[A-Z][a-zA-Z]+")]
    private static partial Regex ValidType();
}
