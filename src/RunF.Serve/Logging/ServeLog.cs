using System.Globalization;
using System.Text;

namespace RunF.Serve.Logging;

/// <summary>
/// runf serve's log: whole lines to stderr (and, for OpenWhisk, stdout), one writer at a time,
/// so lines of concurrent invocations never interleave within a line.
/// </summary>
public static class ServeLog
{
    private static readonly Lock Gate = new();
    private static readonly Stream Err = Console.OpenStandardError();
    private static readonly Stream Out = Console.OpenStandardOutput();

    /// <summary>A line of runf serve itself: "runf serve: ...".</summary>
    public static void Info(string message) => Write(Err, "runf serve: " + message);

    /// <summary>A line a function wrote to stderr, after the invocation's prefix.</summary>
    public static void Function(string prefix, string line) => Write(Err, prefix + line);

    /// <summary>
    /// A line of mode=http's server, as the of-watchdog logs it: its stdout to stdout, its stderr
    /// to stderr, after the time and the stream's name with prefix_logs (2024/06/17 11:41:10 stderr: ...).
    /// </summary>
    public static void Server(bool stdout, bool prefix, string line) =>
        Write(stdout ? Out : Err, prefix
            ? DateTime.Now.ToString("yyyy'/'MM'/'dd HH':'mm':'ss ", CultureInfo.InvariantCulture) + (stdout ? "stdout: " : "stderr: ") + line
            : line);

    public static void Stdout(string line) => Write(Out, line);

    public static void Stderr(string line) => Write(Err, line);

    private static void Write(Stream stream, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (Gate)
        {
            stream.Write(bytes);
            stream.Flush();
        }
    }
}
