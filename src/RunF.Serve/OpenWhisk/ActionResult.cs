using System.Text.Json;

namespace RunF.Serve.OpenWhisk;

/// <summary>How OpenWhisk's proxies find an action's result in what it wrote.</summary>
internal static class ActionResult
{
    /// <summary>
    /// actionproxy.py's split of a process action's stdout: the result is the last line, even an
    /// empty one (output ending in an empty line has no result), stripped of surrounding white
    /// space; everything before it, up to and including its newline, is the activation's log.
    /// </summary>
    public static (string Logs, string Result) Split(string stdout)
    {
        // The last newline before the final character: a newline that ends the output ends the result line.
        var last = stdout.Length < 2 ? -1 : stdout.LastIndexOf('\n', stdout.Length - 2);
        return last < 0 ? ("", stdout.Trim()) : (stdout[..(last + 1)], stdout[(last + 1)..].Trim());
    }

    /// <summary>A result OpenWhisk takes: a JSON object, or (since arrays are results too) a JSON array.</summary>
    public static bool IsObjectOrArray(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
