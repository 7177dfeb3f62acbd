namespace RunF.Runtime.Spec;

/// <summary>Resource limit names (as docker run --ulimit spells them) and numbers.</summary>
public static class Rlimits
{
    private static readonly string[] Names =
    [
        "cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile", "memlock", "as", "locks",
        "sigpending", "msgqueue", "nice", "rtprio", "rttime",
    ];

    public const int NoFile = 7;
    public const ulong Infinity = ulong.MaxValue;

    public static readonly Rlimit DefaultNoFile = new(NoFile, 1024, 1024);

    /// <summary>The resource number of a name ("nofile"), or -1.</summary>
    public static int ResourceOf(string name) => Array.IndexOf(Names, name.ToLowerInvariant());

    public static string NameOf(int resource) => resource >= 0 && resource < Names.Length ? Names[resource] : $"{resource}";

    /// <summary>Parses docker's "nofile=1024[:2048]" (soft[:hard]; "unlimited" or -1 for infinity).</summary>
    public static Rlimit Parse(string text)
    {
        var eq = text.IndexOf('=');
        var resource = eq > 0 ? Array.IndexOf(Names, text[..eq].ToLowerInvariant()) : -1;
        if (resource < 0)
        {
            throw new Errors.RunfException($"invalid --ulimit \"{text}\": expected NAME=SOFT[:HARD] with NAME one of {string.Join(", ", Names)}");
        }
        var values = text[(eq + 1)..].Split(':');
        if (values.Length > 2 || !TryValue(values[0], out var soft) || !TryValue(values[^1], out var hard))
        {
            throw new Errors.RunfException($"invalid --ulimit \"{text}\": expected SOFT[:HARD] as whole numbers (or unlimited), with no unit: {text[..eq]}=65536:65536");
        }
        if (soft > hard)
        {
            throw new Errors.RunfException($"invalid --ulimit \"{text}\": the soft limit {values[0]} is above the hard limit {values[^1]}");
        }
        return new Rlimit(resource, soft, hard);
    }

    /// <summary>"unlimited" or the number, as --ulimit takes it.</summary>
    public static string Format(ulong value) => value == Infinity ? "unlimited" : $"{value}";

    private static bool TryValue(string s, out ulong value)
    {
        if (s is "unlimited" or "-1")
        {
            value = Infinity;
            return true;
        }
        return ulong.TryParse(s, out value);
    }

    /// <summary>Replaces defaults with the user's limits for the same resource.</summary>
    public static IReadOnlyList<Rlimit> Merge(IEnumerable<Rlimit> user)
    {
        var byResource = new SortedDictionary<int, Rlimit> { [NoFile] = DefaultNoFile };
        foreach (var limit in user)
        {
            byResource[limit.Resource] = limit;
        }
        return [.. byResource.Values];
    }
}
