using System.Globalization;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Spec;

/// <summary>
/// Which TCP ports the container may bind in the executor's network namespace, which it shares:
/// any (runf's default), none (runf serve's: a function publishes no service), or a list.
/// </summary>
public sealed record TcpBindPolicy(IReadOnlyList<ushort>? Ports)
{
    public static TcpBindPolicy Any { get; } = new((IReadOnlyList<ushort>?)null);

    public static TcpBindPolicy None { get; } = new([]);

    public bool AllowsAny => Ports is null;

    /// <summary>"any", "none", or ports and ranges: "8080", "80,443", "9000-9009".</summary>
    public static TcpBindPolicy Parse(string text, string option)
    {
        switch (text)
        {
            case "any":
                return Any;
            case "none":
                return None;
        }
        var ports = new SortedSet<ushort>();
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-');
            var (low, high) = dash < 0 ? (Port(part), Port(part)) : (Port(part[..dash]), Port(part[(dash + 1)..]));
            if (low is null || high is null || low > high)
            {
                throw new RunfException($"invalid {option} \"{text}\": expected any, none, or TCP ports and ranges such as 8080 or 9000-9009,9100");
            }
            for (var port = (int)low; port <= high; port++)
            {
                ports.Add((ushort)port);
            }
        }
        return new([.. ports]);
    }

    private static ushort? Port(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            ? port
            : null;

    /// <summary>"any", "none" or "80,443" for messages and the plan.</summary>
    public override string ToString() => Ports switch
    {
        null => "any",
        [] => "none",
        var ports => string.Join(',', ports),
    };
}
