using RunF.Interop;
using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Layers;

/// <summary>
/// Applies layer tars to the root directory with OCI image-spec semantics: bottom to top;
/// ".wh.NAME" removes NAME from lower layers only; ".wh..wh..opq" empties its directory of
/// lower-layer content wherever it appears in the tar; an entry replaces what it meets
/// (directories merge); hardlinks may point into earlier layers; symlinks are never followed;
/// directory modes and times are set last, once everything below them is written.
/// Unprivileged by design: ownership goes to <see cref="OwnershipRecord"/>, device nodes and
/// non-user xattrs are skipped and counted.
/// </summary>
internal sealed unsafe class LayerApplier
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string MetaPrefix = ".wh..wh.";
    private const int CopyBufferSize = 1 << 20;

    private readonly RootDir _root;
    private readonly long _maxEntries;
    private readonly uint _umask;
    private readonly Dictionary<string, DirMeta> _dirMeta = new(StringComparer.Ordinal);
    // Paths the current layer has written: whiteouts must not remove them (they hide lower
    // layers only), whatever order the tar lists them in.
    private readonly HashSet<string> _layerPaths = new(StringComparer.Ordinal);
    private readonly byte[] _copyBuffer = new byte[CopyBufferSize];

    private readonly record struct DirMeta(uint Mode, DateTimeOffset MTime, List<KeyValuePair<string, byte[]>>? Xattrs);

    public LayerApplier(RootDir root, long maxEntries, uint umask)
    {
        _root = root;
        _maxEntries = maxEntries;
        _umask = umask;
        _root.TreeRemoved = ForgetTree;
    }

    // Metadata recorded for paths below a removed directory must not reach whatever a later
    // layer puts there.
    private void ForgetTree(string path)
    {
        Owners.RemoveTree(path);
        _dirMeta.Remove(path);
        string prefix = path + "/";
        foreach (var key in _dirMeta.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _dirMeta.Remove(key);
        }
    }

    public ExtractStats Stats { get; } = new();
    public OwnershipRecord Owners { get; } = new();

    /// <summary>Applies one layer. layerNumber is 1-based and used in every error.</summary>
    public void Apply(Stream tar, int layerNumber, string layerName, CancellationToken ct)
    {
        _layerPaths.Clear();
        var reader = new LayerTarReader(tar);
        while (true)
        {
            LayerEntry? entry;
            try
            {
                entry = reader.Next();
            }
            // OverflowException: TarReader's base-256 numbers (a GNU time field) that do not fit a long.
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException)
            {
                throw new RootfsException($"layer {layerNumber} ({layerName}) is not a valid tar or is truncated: {LayerPipeline.Describe(e)}", e);
            }
            if (entry is null)
            {
                break;
            }
            ct.ThrowIfCancellationRequested();
            if (++Stats.Entries > _maxEntries)
            {
                throw new RootfsException($"layer {layerNumber} ({layerName}) entry \"{entry.Name}\": the image has more than {_maxEntries} entries (--max-files); raise --max-files if the image is trusted");
            }
            _root.TrimCache();
            try
            {
                ApplyEntry(entry, reader);
            }
            catch (RootfsException e)
            {
                throw new RootfsException($"layer {layerNumber} ({layerName}) entry \"{entry.Name}\": {e.Message}", e);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or EndOfStreamException)
            {
                throw new RootfsException($"layer {layerNumber} ({layerName}) entry \"{entry.Name}\": {LayerPipeline.Describe(e)}", e);
            }
        }
        Stats.Layers++;
    }

    public void CountEmptyLayer() => Stats.Layers++;

    private void ApplyEntry(LayerEntry entry, LayerTarReader reader)
    {
        string path = EntryPath.Normalize(entry.Name, out string? problem) ?? throw new RootfsException(problem + "; refusing to write outside the root");
        if (path.Length == 0)
        {
            if (entry.Kind != EntryKind.Directory)
            {
                throw new RootfsException("the root of the image must be a directory");
            }
            RecordDir(path, entry);
            return;
        }
        var (parent, name) = EntryPath.Split(path);
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(parent, name);
            return;
        }
        switch (entry.Kind)
        {
            case EntryKind.File:
                WriteFile(entry, reader, path, parent, name);
                Stats.Files++;
                break;
            case EntryKind.Directory:
                _root.MakeDir(_root.MakeDirs(parent), name, path);
                RecordDir(path, entry);
                Stats.Directories++;
                break;
            case EntryKind.Symlink:
                {
                    var dir = _root.MakeDirs(parent);
                    _root.Symlink(dir, name, path, entry.LinkName);
                    RootDir.SetSymlinkTime(dir, name, path, entry.ModificationTime);
                    Stats.Symlinks++;
                    break;
                }
            case EntryKind.HardLink:
                {
                    string target = EntryPath.Normalize(entry.LinkName, out string? linkProblem)
                        ?? throw new RootfsException($"hardlink target \"{entry.LinkName}\": {linkProblem}; refusing to link outside the root");
                    if (target.Length == 0)
                    {
                        throw new RootfsException("hardlink target is the root directory");
                    }
                    if (target != path)
                    {
                        _root.HardLink(_root.MakeDirs(parent), name, path, target);
                    }
                    Stats.Hardlinks++;
                    break;
                }
            case EntryKind.Fifo:
                _root.MakeFifo(_root.MakeDirs(parent), name, path, entry.Mode);
                break;
            case EntryKind.CharacterDevice or EntryKind.BlockDevice:
                // mknod needs CAP_MKNOD in the initial namespace; the runtime provides /dev itself.
                Stats.SkippedDevices++;
                return;
            case EntryKind.Sparse:
                throw new RootfsException("is a sparse file (GNU tar --sparse), which runf does not extract; rebuild the layer without --sparse");
            default:
                throw new RootfsException($"unsupported tar entry type '{entry.TypeFlag}'");
        }
        _layerPaths.Add(path);
        Owners.Set(path, entry.Uid, entry.Gid);
    }

    private void ApplyWhiteout(string parent, string name)
    {
        Stats.Whiteouts++;
        if (name == OpaqueMarker)
        {
            _root.RemoveChildren(parent, _layerPaths);
            Owners.RemoveChildren(parent, _layerPaths);
            string prefix = parent.Length == 0 ? "" : parent + "/";
            foreach (var key in _dirMeta.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length && !_layerPaths.Contains(k)).ToList())
            {
                _dirMeta.Remove(key);
            }
            return;
        }
        if (name.StartsWith(MetaPrefix, StringComparison.Ordinal))
        {
            // aufs bookkeeping (.wh..wh..plnk, .wh..wh.aufs): not content.
            return;
        }
        string victim = name[WhiteoutPrefix.Length..];
        if (victim.Length == 0 || victim is "." or "..")
        {
            throw new RootfsException($"whiteout \"{name}\" names no file; refusing it");
        }
        string victimPath = EntryPath.Join(parent, victim);
        if (_layerPaths.Contains(victimPath))
        {
            return;
        }
        if (_root.Dir(parent, create: false) is not { } dir)
        {
            return;
        }
        _root.Remove(dir, victim, victimPath);
        Owners.RemoveTree(victimPath);
    }

    private void WriteFile(LayerEntry entry, LayerTarReader reader, string path, string parent, string name)
    {
        uint mode = entry.Mode;
        using var fd = _root.CreateFile(_root.MakeDirs(parent), name, path, mode);
        if (entry.Size > 0)
        {
            CopyTo(reader, fd, path);
        }
        // open(2) applied the umask; only files whose mode it changed (or with setuid,
        // setgid, sticky bits) need the extra fchmod.
        if ((mode & ~Mode.Perm0777) != 0 || (mode & _umask) != 0)
        {
            CheckIo.Check(Libc.FChmod(fd, mode), "chmod", path);
        }
        if (UserXattrs(entry) is { } xattrs)
        {
            SetXattrs(fd, xattrs, path);
        }
        RootDir.SetTime(fd, path, entry.ModificationTime);
    }

    private void CopyTo(LayerTarReader reader, SafeFd fd, string path)
    {
        int n;
        while ((n = reader.ReadData(_copyBuffer)) > 0)
        {
            fixed (byte* p = _copyBuffer)
            {
                int done = 0;
                while (done < n)
                {
                    nint w = Libc.Write(fd, p + done, n - done);
                    if (w < 0)
                    {
                        int errno = Errno.Last;
                        if (errno == Errno.EINTR)
                        {
                            continue;
                        }
                        throw CheckIo.Error("write", path, errno);
                    }
                    done += (int)w;
                }
            }
            Stats.FileBytes += n;
        }
    }

    private List<KeyValuePair<string, byte[]>>? UserXattrs(LayerEntry entry)
    {
        if (entry.Xattrs is null)
        {
            return null;
        }
        List<KeyValuePair<string, byte[]>>? kept = null;
        foreach (var (name, value) in entry.Xattrs)
        {
            if (name.StartsWith("user.", StringComparison.Ordinal))
            {
                (kept ??= []).Add(new(name, value));
            }
            else
            {
                // security.capability, trusted.*, system.posix_acl_*: need privileges or a
                // matching user namespace to mean anything.
                Stats.DroppedXattrs++;
            }
        }
        return kept;
    }

    // Values are the bytes the PAX record holds (System.Formats.Tar decoded them as UTF-8).
    private static void SetXattrs(SafeFd fd, List<KeyValuePair<string, byte[]>> xattrs, string path)
    {
        foreach (var (name, value) in xattrs)
        {
            fixed (byte* p = value)
            {
                CheckIo.Check(Libc.FSetXattr(fd, name, p, (nuint)value.Length, 0), $"set xattr {name} on", path);
            }
        }
    }

    private void RecordDir(string path, LayerEntry entry)
    {
        _dirMeta[path] = new DirMeta(entry.Mode, entry.ModificationTime, UserXattrs(entry));
        _layerPaths.Add(path);
        Owners.Set(path, entry.Uid, entry.Gid);
    }

    /// <summary>
    /// Sets directory modes, times and xattrs, deepest first: creating entries changes a
    /// directory's mtime, and a read-only mode would have blocked writing into it.
    /// </summary>
    public void FinishDirectories()
    {
        foreach (var (path, meta) in _dirMeta.OrderByDescending(d => EntryPath.Depth(d.Key)))
        {
            if (meta.Xattrs is not null)
            {
                using var fd = _root.OpenDir(path);
                if (!fd.IsInvalid)
                {
                    SetXattrs(fd, meta.Xattrs, path);
                }
            }
            _root.SetDirMetadata(path, path.Length == 0 ? RootMode(meta.Mode) : meta.Mode, meta.MTime);
        }
    }

    // The root becomes the output directory on the host, where group or other write would let
    // another local user replace /bin before the next run: those bits are dropped, and the
    // image's mode is kept in the ownership sidecar.
    private uint RootMode(uint imageMode)
    {
        if ((imageMode & Mode.Perm0022) == 0)
        {
            return imageMode;
        }
        Owners.ImageRootMode = imageMode & Mode.Perm7777;
        return imageMode & ~Mode.Perm0022;
    }
}
