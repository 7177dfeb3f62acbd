using System.Text;

namespace RunF.Runtime.Invoke;

/// <summary>
/// Turns a stream (a function's stderr) into lines as they arrive. A line longer than MaxChars
/// is cut into pieces, so a log prefix stays at the start of every line written.
/// </summary>
public static class LineSplitter
{
    public const int MaxChars = 4096;

    public static async Task ReadLinesAsync(Stream stream, Action<string> line)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var pending = new StringBuilder();
        int n;
        while ((n = await stream.ReadAsync(bytes)) > 0)
        {
            var count = decoder.GetChars(bytes, 0, n, chars, 0);
            Split(chars.AsSpan(0, count), pending, line);
        }
        if (pending.Length > 0)
        {
            line(pending.ToString());
        }
    }

    /// <summary>Appends text to pending, handing out every complete or full line.</summary>
    public static void Split(ReadOnlySpan<char> text, StringBuilder pending, Action<string> line)
    {
        foreach (var c in text)
        {
            if (c == '\n')
            {
                line(pending.ToString());
                pending.Clear();
                continue;
            }
            pending.Append(c);
            if (pending.Length == MaxChars)
            {
                line(pending.ToString());
                pending.Clear();
            }
        }
    }
}
