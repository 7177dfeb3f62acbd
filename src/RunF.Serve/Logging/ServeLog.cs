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
