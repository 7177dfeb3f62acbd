namespace RunF.RootfsTools.Safety;

/// <summary>
/// Turns a layer entry name into a clean relative path ("a/b/c") or rejects it. An absolute
/// name is taken relative to the root, as umoci, containerd and GNU tar take it: kaniko's layers
/// start with a "/" entry (the root, as "." and "./" are) and some tools write "/etc/passwd".
/// Any ".." component is refused outright rather than cleaned: a well-formed layer never needs
/// one, and refusing keeps every later path operation simple to reason about. Either way the
/// path is then resolved beneath the root (<see cref="RootDir"/>).
/// </summary>
internal static class EntryPath
{
    /// <summary>Returns the normalised path, "" for the root itself, or null with a reason.</summary>
    public static string? Normalize(string name, out string? problem)
    {
        problem = null;
        if (name.Length == 0)
        {
            problem = "empty entry name";
            return null;
        }
        if (name.Contains('\0'))
        {
            problem = "entry name contains a nul byte";
            return null;
        }
        if (!NeedsCleaning(name))
        {
            return name;
        }
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                problem = "entry name contains \"..\"";
                return null;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    // The common case ("usr/bin/env") needs no allocation: only "/x", "./x", "x/", "a//b", "." or ".." do.
    private static bool NeedsCleaning(string name)
    {
        if (name[0] == '/' || name[^1] == '/' || name.Contains("//", StringComparison.Ordinal))
        {
            return true;
        }
        int start = 0;
        while (start <= name.Length)
        {
            int end = name.IndexOf('/', start);
            if (end < 0)
            {
                end = name.Length;
            }
            int len = end - start;
            if ((len == 1 && name[start] == '.') || (len == 2 && name[start] == '.' && name[start + 1] == '.'))
            {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    public static (string Parent, string Name) Split(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? ("", path) : (path[..slash], path[(slash + 1)..]);
    }

    public static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    public static int Depth(string path) => path.Length == 0 ? 0 : path.Count(c => c == '/') + 1;
}
