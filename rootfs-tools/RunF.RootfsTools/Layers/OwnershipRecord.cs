namespace RunF.RootfsTools.Layers;

/// <summary>
/// The in-memory record of <see cref="OwnershipFile"/> while layers are applied; removals drop
/// what they remove.
/// </summary>
internal sealed class OwnershipRecord
{
    private readonly Dictionary<string, (int Uid, int Gid)> _owners = new(StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<string, (int Uid, int Gid)>> Entries => _owners;

    /// <summary>The image's mode of the root directory when another one was applied; null when it was applied as is.</summary>
    public uint? ImageRootMode { get; set; }

    public void Set(string path, int uid, int gid)
    {
        if (uid == 0 && gid == 0)
        {
            _owners.Remove(path);
        }
        else
        {
            _owners[path] = (uid, gid);
        }
    }

    /// <summary>Forgets path and everything below it.</summary>
    public void RemoveTree(string path)
    {
        _owners.Remove(path);
        if (_owners.Count == 0)
        {
            return;
        }
        string prefix = path.Length == 0 ? "" : path + "/";
        foreach (var key in _owners.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _owners.Remove(key);
        }
    }

    /// <summary>Forgets what is below path except the kept paths (an opaque whiteout).</summary>
    public void RemoveChildren(string path, ISet<string> keep)
    {
        string prefix = path.Length == 0 ? "" : path + "/";
        foreach (var key in _owners.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !keep.Contains(k)).ToList())
        {
            _owners.Remove(key);
        }
    }
}
