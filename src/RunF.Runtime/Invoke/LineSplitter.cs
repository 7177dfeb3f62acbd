using System.Text;

namespace RunF.Runtime.Invoke;

/// <summary>
/// Turns a stream (a function's stderr) into lines as they arrive. A line longer than maxChars
/// (MaxChars unless the caller says) is cut into pieces, so a log prefix stays at the start of
/// every line written and a line without an end never holds more than that.
/// </summary>
public static class LineSplitter
{
    public const int MaxChars = 4096;

    public static Task ReadLinesAsync(Stream stream, Action<string> line) => ReadLinesAsync(stream, line, MaxChars);

    public static Task ReadLinesAsync(Stream stream, Action<string> line, int maxChars) =>
        ReadLinesAsync(bytes => stream.ReadAsync(bytes), line, maxChars).AsTask();

    /// <summary>
    /// As ReadLinesAsync, blocking the calling thread: for a stream read for as long as a process
    /// runs, on a thread of its own (a pipe's read holds a thread either way, and holding a pool
    /// thread for the life of a process starves the pool on a small machine).
    /// </summary>
    public static void ReadLines(Stream stream, Action<string> line, int maxChars) =>
        // Every read completes synchronously, so the "async" loop runs through on this thread.
        ReadLinesAsync(bytes => ValueTask.FromResult(stream.Read(bytes.Span)), line, maxChars).GetAwaiter().GetResult();

    private static async ValueTask ReadLinesAsync(Func<Memory<byte>, ValueTask<int>> read, Action<string> line, int maxChars)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var pending = new StringBuilder();
        int n;
        while ((n = await read(bytes)) > 0)
        {
            var count = decoder.GetChars(bytes, 0, n, chars, 0);
            Split(chars.AsSpan(0, count), pending, line, maxChars);
        }
        if (pending.Length > 0)
        {
            line(pending.ToString());
        }
    }

    /// <summary>Appends text to pending, handing out every complete or full line.</summary>
    public static void Split(ReadOnlySpan<char> text, StringBuilder pending, Action<string> line) => Split(text, pending, line, MaxChars);

    public static void Split(ReadOnlySpan<char> text, StringBuilder pending, Action<string> line, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        foreach (var c in text)
        {
            if (c == '\n')
            {
                line(pending.ToString());
                pending.Clear();
                continue;
            }
            pending.Append(c);
            if (pending.Length == maxChars)
            {
                line(pending.ToString());
                pending.Clear();
            }
        }
    }
}
