namespace RunF.RootfsTools.Archive;

/// <summary>
/// Names inside the outer archive. Manifests and symlinks refer to members by relative paths;
/// those are resolved lexically, and any path that climbs above the archive root is refused
/// (a manifest saying "Layers": ["../x"] must not reach the host).
/// </summary>
internal static class ArchivePath
{
    /// <summary>The clean member name for path relative to baseDir ("" = archive root), or null if it leaves the archive.</summary>
    public static string? Resolve(string baseDir, string path)
    {
        var parts = new List<string>();
        if (!path.StartsWith('/'))
        {
            parts.AddRange(baseDir.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static string DirectoryOf(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? "" : name[..slash];
    }
}
