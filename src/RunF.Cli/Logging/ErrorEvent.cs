using System.Text;
using RunF.Runtime.IO;

namespace RunF.Cli.Logging;

/// <summary>
/// runf's one error line as a Serilog compact JSON event ({"@t", "@l", "@m"}), for --log-format
/// json: a log collector sees errors as it sees every other line.
/// </summary>
public static class ErrorEvent
{
    public static string Json(string message, int exitCode) =>
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
