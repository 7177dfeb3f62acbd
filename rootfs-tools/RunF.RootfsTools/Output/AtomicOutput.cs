using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Output;

/// <summary>
/// Extraction goes to a private directory next to the destination (same filesystem, so the
/// final rename is atomic); sidecar files are written next to it under temporary names.
/// Commit renames everything into place; Dispose without Commit removes it all. DIR is never
/// seen half-written, and an existing DIR is only replaced with --force.
/// </summary>
internal sealed class AtomicOutput : IDisposable
{
    private readonly string _final;
    private readonly bool _force;
    private readonly string _token = Guid.NewGuid().ToString("N")[..12];
    private readonly List<(string Temp, string Final)> _sidecars = [];
    private bool _committed;

    public AtomicOutput(string destination, bool force)
    {
        _final = Path.GetFullPath(destination.TrimEnd('/'));
        _force = force;
        string parent = Path.GetDirectoryName(_final) ?? throw new RootfsException("the output directory cannot be /");
        if (!Directory.Exists(parent))
        {
            throw new RootfsException($"the parent of output {destination}, {parent}, does not exist; create it first");
        }
        if (!force && Path.Exists(_final))
        {
            throw new RootfsException($"output {destination} already exists; use --force to replace it");
        }
        Parent = parent;
        TempDir = Path.Combine(parent, $".{Path.GetFileName(_final)}.runf-{_token}");
        if (Native.MkdirAt(Native.AtFdCwd, TempDir, Mode.Perm0700) != 0)
        {
            throw RootDir.Fail(Native.Errno, $"cannot create a temporary directory in {parent}");
        }
    }

    public string Parent { get; }
    public string TempDir { get; }
    public string FinalPath => _final;

    /// <summary>A temporary path for the sidecar that will be named finalPath on commit.</summary>
    public string Sidecar(string finalPath)
    {
        string temp = Path.Combine(Parent, $".{Path.GetFileName(finalPath)}.runf-{_token}");
        _sidecars.Add((temp, finalPath));
        return temp;
    }

    public void Commit()
    {
        string? old = null;
        if (Native.RenameAt2(Native.AtFdCwd, TempDir, Native.AtFdCwd, _final, Native.RenameNoReplace) != 0)
        {
            int errno = Native.Errno;
            if (errno != Native.EExist || !_force)
            {
                throw errno == Native.EExist
                    ? new RootfsException($"output {_final} appeared while extracting; use --force to replace it")
                    : RootDir.Fail(errno, $"rename {TempDir} to {_final}");
            }
            // --force: move the old tree aside first, so the swap itself is a rename too.
            old = Path.Combine(Parent, $".{Path.GetFileName(_final)}.runf-old-{_token}");
            Rename(_final, old);
            Rename(TempDir, _final);
        }
        foreach (var (temp, final) in _sidecars)
        {
            Rename(temp, final);
        }
        _committed = true;
        if (old is not null)
        {
            Tree.Remove(old);
        }
    }

    private static void Rename(string from, string to)
    {
        if (Native.RenameAt2(Native.AtFdCwd, from, Native.AtFdCwd, to, 0) != 0)
        {
            throw RootDir.Fail(Native.Errno, $"rename {from} to {to}");
        }
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }
        Tree.Remove(TempDir);
        foreach (var (temp, _) in _sidecars)
        {
            File.Delete(temp);
        }
    }
}
