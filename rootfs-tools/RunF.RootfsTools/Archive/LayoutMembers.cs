using Microsoft.Win32.SafeHandles;
using RunF.Interop;

namespace RunF.RootfsTools.Archive;

/// <summary>
/// The files of an OCI image layout directory (what `skopeo copy ... oci:DIR:TAG` and umoci
/// write: oci-layout, index.json, blobs/ALG/HEX) as archive members. Each is opened beneath
/// the directory (openat2 RESOLVE_IN_ROOT), so neither a name nor a symlink in the layout
/// reaches a file outside it, and read in place like a member of a tar.
/// </summary>
internal sealed class LayoutMembers : IArchiveMembers
{
    private const ulong Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS;

    private readonly SafeFd _dir;
    private readonly string _display;
    private readonly Dictionary<string, OuterArchive.Member?> _opened = new(StringComparer.Ordinal);

    private LayoutMembers(SafeFd dir, string display)
    {
        _dir = dir;
        _display = display;
    }

    public static LayoutMembers Open(string path)
    {
        var dir = CheckIo.Check(Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC), "open image layout", path);
        var layout = new LayoutMembers(dir, path);
        if (layout.Find("index.json") is null && layout.Find("manifest.json") is null)
        {
            layout.Dispose();
            throw new RootfsException($"directory {path} is not an OCI image layout (it has no index.json); give an image archive file, or the directory that `skopeo copy IMAGE oci:DIR:TAG` wrote");
        }
        return layout;
    }

    public OuterArchive.Member? Find(string name)
    {
        string? clean = ArchivePath.Resolve("", name);
        if (clean is null || clean.Length == 0)
        {
            return null;
        }
        if (_opened.TryGetValue(clean, out var known))
        {
            return known;
        }
        var fd = Libc.OpenAt2(_dir, clean, Libc.O_RDONLY | Libc.O_CLOEXEC, Resolve);
        OuterArchive.Member? member = null;
        if (fd.IsInvalid)
        {
            int errno = Errno.Last;
            fd.Dispose();
            if (errno is not (Errno.ENOENT or Errno.ENOTDIR))
            {
                throw CheckIo.Error("open", Path.Combine(_display, clean), errno);
            }
        }
        else if (Libc.FStat(fd) is { Type: Libc.S_IFREG } stat)
        {
            member = new OuterArchive.Member(clean, fd.ToFileHandle(), 0, (long)stat.Size);
        }
        else
        {
            fd.Dispose();
        }
        _opened[clean] = member;
        return member;
    }

    public void Dispose()
    {
        foreach (var member in _opened.Values)
        {
            member?.File.Dispose();
        }
        _dir.Dispose();
    }
}

/// <summary>Where the members of an outer archive come from: a tar file or a layout directory.</summary>
internal interface IArchiveMembers : IDisposable
{
    /// <summary>The regular-file member behind name (relative to the archive root); null if absent.</summary>
    OuterArchive.Member? Find(string name);
}
