namespace RunF.Runtime.Invoke;

/// <summary>An invocation's variables over the function's own: same key, the invocation wins.</summary>
internal static class EnvironmentMerge
{
    public static IReadOnlyList<string> Apply(IReadOnlyList<string> env, IReadOnlyList<string> extra)
    {
        if (extra.Count == 0)
        {
            return env;
        }
        var keys = extra.Select(KeyOf).ToHashSet(StringComparer.Ordinal);
        var merged = env.Where(e => !keys.Contains(KeyOf(e))).ToList();
        // Later pairs of the invocation win over earlier ones with the same key, as in env(1).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        merged.AddRange(extra.Reverse().Where(e => seen.Add(KeyOf(e))).Reverse());
        return merged;
    }

    private static string KeyOf(string pair) => pair.Split('=', 2)[0];
}
