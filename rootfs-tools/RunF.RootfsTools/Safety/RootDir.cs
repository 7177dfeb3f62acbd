using RunF.Interop;

namespace RunF.RootfsTools.Safety;

/// <summary>
/// Every filesystem operation of the extractor, relative to one root directory fd. Parent
/// directories are opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS), and the final
/// component is always handled with *at calls that do not follow it (O_NOFOLLOW, O_EXCL,
/// AT_SYMLINK_NOFOLLOW). So a symlink anywhere in a path is an error, never a way out of the
/// root, and nothing outside the root is ever written or removed.
/// Paths are clean relative paths from <see cref="EntryPath"/>. Errors are RootfsExceptions
/// whose message names the path; the caller adds the entry and layer.
/// </summary>
internal sealed unsafe class RootDir : IDisposable
{
    private const ulong Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS;
    private const int MaxCachedDirs = 512;

    private readonly SafeFd _root;
    // Tar entries come grouped by directory, so the parent fd of the previous entry is usually
    // the next one's too: caching saves one openat2 and one close per entry. Any removal of a
    // directory clears the cache, so a cached fd never points at a directory that was replaced.
    private readonly Dictionary<string, SafeFd> _dirs = new(StringComparer.Ordinal);

    private RootDir(SafeFd root)
    {
        _root = root;
    }

    /// <summary>Called with the path of each directory tree removed to make room for an entry or by a whiteout.</summary>
    public Action<string>? TreeRemoved { get; set; }

    public static RootDir Open(string path) =>
        new(CheckIo.Check(Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC), "open", path));

    /// <summary>
    /// The descriptor of directory <paramref name="dir"/> ("" is the root), which stays this
    /// RootDir's to close. With create, missing directories are made (mode 0755, as Docker does
    /// for parents a layer does not list); without it, a missing directory returns null.
    /// </summary>
    public SafeFd? Dir(string dir, bool create)
    {
        if (dir.Length == 0)
        {
            return _root;
        }
        if (_dirs.TryGetValue(dir, out var cached))
        {
            return cached;
        }
        var fd = Libc.OpenAt2(_root, dir, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, Resolve);
        if (fd.IsInvalid)
        {
            int errno = Errno.Last;
            fd.Dispose();
            if (errno == Errno.ENOENT)
            {
                return create ? CreateDirs(dir) : null;
            }
            throw DirFailure(errno, dir);
        }
        return Remember(dir, fd);
    }

    /// <summary>Dir with create: never null.</summary>
    public SafeFd MakeDirs(string dir) => Dir(dir, create: true)!;

    private SafeFd Remember(string dir, SafeFd fd)
    {
        _dirs[dir] = fd;
        return fd;
    }

    /// <summary>
    /// Bounds the fd cache. Called between entries only, never inside an operation, so no fd a
    /// caller still holds is closed under it.
    /// </summary>
    public void TrimCache()
    {
        if (_dirs.Count >= MaxCachedDirs)
        {
            ForgetDirs();
        }
    }

    private SafeFd CreateDirs(string dir)
    {
        var (parent, name) = EntryPath.Split(dir);
        if (Libc.MkDirAt(MakeDirs(parent), name, Mode.Perm0755) != 0 && Errno.Last != Errno.EEXIST)
        {
            throw CheckIo.Error("create directory", dir);
        }
        var fd = Libc.OpenAt2(_root, dir, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, Resolve);
        if (fd.IsInvalid)
        {
            int errno = Errno.Last;
            fd.Dispose();
            throw DirFailure(errno, dir);
        }
        return Remember(dir, fd);
    }

    private static RootfsException DirFailure(int errno, string dir) => errno switch
    {
        Errno.ELOOP => new RootfsException($"a component of \"{dir}\" is a symlink; refusing to follow it"),
        Errno.ENOTDIR => new RootfsException($"a component of \"{dir}\" is not a directory"),
        Errno.EAGAIN or Errno.ENOSYS => new RootfsException($"openat2 on \"{dir}\" failed: the kernel must support openat2 (linux 5.6 or later)"),
        _ => CheckIo.Error("open directory", dir, errno),
    };

    // Only fds at or below a removed directory can go stale; the parent fds callers hold stay valid.
    private void ForgetUnder(string path)
    {
        if (path.Length == 0)
        {
            ForgetDirs();
            return;
        }
        List<string>? stale = null;
        foreach (var key in _dirs.Keys)
        {
            if (key.StartsWith(path, StringComparison.Ordinal) && (key.Length == path.Length || key[path.Length] == '/'))
            {
                (stale ??= []).Add(key);
            }
        }
        foreach (var key in stale ?? [])
        {
            _dirs.Remove(key, out var fd);
            fd!.Dispose();
        }
    }

    private void ForgetDirs()
    {
        foreach (var fd in _dirs.Values)
        {
            fd.Dispose();
        }
        _dirs.Clear();
    }

    /// <summary>Creates a regular file for writing, replacing whatever is at the path. The caller closes it.</summary>
    public SafeFd CreateFile(SafeFd dir, string name, string path, uint mode)
    {
        int flags = Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
        var fd = Libc.OpenAt(dir, name, flags, mode & Mode.Perm0777);
        if (fd.IsInvalid && Errno.Last == Errno.EEXIST)
        {
            fd.Dispose();
            Remove(dir, name, path);
            fd = Libc.OpenAt(dir, name, flags, mode & Mode.Perm0777);
        }
        return CheckIo.Check(fd, "create", path);
    }

    /// <summary>Makes a directory, or merges into an existing one; a non-directory there is replaced.</summary>
    public void MakeDir(SafeFd dir, string name, string path)
    {
        if (Libc.MkDirAt(dir, name, Mode.Perm0700) == 0)
        {
            return;
        }
        if (Errno.Last != Errno.EEXIST)
        {
            throw CheckIo.Error("create directory", path);
        }
        if (Libc.StatAt(dir, name, Libc.AT_SYMLINK_NOFOLLOW) is { Type: Libc.S_IFDIR })
        {
            return;
        }
        Remove(dir, name, path);
        CheckIo.Check(Libc.MkDirAt(dir, name, Mode.Perm0700), "create directory", path);
    }

    public void Symlink(SafeFd dir, string name, string path, string target)
    {
        if (Libc.SymlinkAt(target, dir, name) == 0)
        {
            return;
        }
        if (Errno.Last != Errno.EEXIST)
        {
            throw CheckIo.Error("create symlink", path);
        }
        Remove(dir, name, path);
        CheckIo.Check(Libc.SymlinkAt(target, dir, name), "create symlink", path);
    }

    /// <summary>Hard-links path to target (both root-relative). The target must be an existing non-symlink, non-directory.</summary>
    public void HardLink(SafeFd dir, string name, string path, string target)
    {
        var (targetParent, targetName) = EntryPath.Split(target);
        var targetDir = Dir(targetParent, create: false);
        switch (targetDir is null ? null : Libc.StatAt(targetDir, targetName, Libc.AT_SYMLINK_NOFOLLOW)?.Type)
        {
            case null:
                throw new RootfsException($"hardlink target \"{target}\" does not exist");
            case Libc.S_IFLNK:
                throw new RootfsException($"hardlink target \"{target}\" is a symlink; refusing to link it");
            case Libc.S_IFDIR:
                throw new RootfsException($"hardlink target \"{target}\" is a directory");
        }
        if (Libc.LinkAt(targetDir!, targetName, dir, name, 0) == 0)
        {
            return;
        }
        if (Errno.Last != Errno.EEXIST)
        {
            throw CheckIo.Error("link", $"{path} to {target}");
        }
        Remove(dir, name, path);
        // Removing a directory at path drops cached descriptors below it, which may include the target's.
        targetDir = Dir(targetParent, create: false);
        if (targetDir is null || Libc.LinkAt(targetDir, targetName, dir, name, 0) != 0)
        {
            throw CheckIo.Error("link", $"{path} to {target}");
        }
    }

    public void MakeFifo(SafeFd dir, string name, string path, uint mode)
    {
        if (Libc.MknodAt(dir, name, Libc.S_IFIFO | (mode & Mode.Perm0777), 0) != 0)
        {
            if (Errno.Last != Errno.EEXIST)
            {
                throw CheckIo.Error("create fifo", path);
            }
            Remove(dir, name, path);
            CheckIo.Check(Libc.MknodAt(dir, name, Libc.S_IFIFO | (mode & Mode.Perm0777), 0), "create fifo", path);
        }
        // mknod applies the umask, as open does for files (which get an fchmod): a fifo cannot be
        // opened to fchmod without a reader or writer, so it is set by name, the one just made.
        CheckIo.Check(Libc.FChmodAt(dir, name, mode & Mode.Perm0777, 0), "set mode of", path);
    }

    public static void SetSymlinkTime(SafeFd dir, string name, string path, DateTimeOffset mtime)
    {
        var times = stackalloc Libc.Timespec[2];
        times[0] = times[1] = Libc.Timespec.Of(mtime);
        CheckIo.Check(Libc.UtimensAt(dir, name, times, Libc.AT_SYMLINK_NOFOLLOW), "set time of", path);
    }

    /// <summary>Whether anything (of any type, not following symlinks) exists at name.</summary>
    public static bool Exists(SafeFd dir, string name) => Libc.StatAt(dir, name, Libc.AT_SYMLINK_NOFOLLOW) is not null;

    /// <summary>Removes name (recursively if a directory); a missing name is not an error.</summary>
    public void Remove(SafeFd dir, string name, string path)
    {
        if (Libc.UnlinkAt(dir, name, 0) == 0)
        {
            return;
        }
        int errno = Errno.Last;
        if (errno == Errno.ENOENT)
        {
            return;
        }
        if (errno != Errno.EISDIR)
        {
            throw CheckIo.Error("remove", path, errno);
        }
        ForgetUnder(path);
        RemoveTree(dir, name, path, keep: null);
        TreeRemoved?.Invoke(path);
    }

    /// <summary>
    /// Empties directory path except for the paths in keep (and, inside kept directories, their
    /// own kept children): the opaque-whiteout rule that hides lower-layer content only.
    /// </summary>
    public void RemoveChildren(string path, ISet<string>? keep)
    {
        using var fd = Libc.OpenAt2(_root, path.Length == 0 ? "." : path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, Resolve);
        if (fd.IsInvalid)
        {
            int errno = Errno.Last;
            if (errno == Errno.ENOENT)
            {
                return;
            }
            throw DirFailure(errno, path);
        }
        ForgetUnder(path);
        EmptyDir(fd, path, keep);
    }

    private static void RemoveTree(SafeFd parent, string name, string path, ISet<string>? keep)
    {
        using var fd = CheckIo.Check(Libc.OpenAt(parent, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC), "open directory", path);
        if (keep is null)
        {
            RemoveOpened(parent, name, fd, path);
        }
        else
        {
            EmptyDir(fd, path, keep);
        }
    }

    /// <summary>
    /// Removes directory name of parentFd, already open (without following symlinks) as fd:
    /// its content is removed through fd, so a directory swapped in under the same name is
    /// never walked. A name already gone once the directory is empty is not an error (another
    /// extraction may sweep an empty work directory). dir stays the caller's to close.
    /// </summary>
    public static void RemoveOpened(SafeFd parent, string name, SafeFd dir, string path)
    {
        EmptyDir(dir, path, keep: null);
        if (Libc.UnlinkAt(parent, name, Libc.AT_REMOVEDIR) != 0 && Errno.Last != Errno.ENOENT)
        {
            throw CheckIo.Error("remove directory", path);
        }
    }

    // Directories of the image may lack write or search permission for an unprivileged owner,
    // so each is made 0700 before it is emptied.
    private static void EmptyDir(SafeFd dir, string path, ISet<string>? keep)
    {
        Libc.FChmod(dir, Mode.Perm0700);
        foreach (var (child, isDir) in DirListing.Read(dir, path))
        {
            string childPath = EntryPath.Join(path, child);
            if (keep is not null && keep.Contains(childPath))
            {
                if (isDir)
                {
                    RemoveTree(dir, child, childPath, keep);
                }
                continue;
            }
            if (Libc.UnlinkAt(dir, child, 0) == 0)
            {
                continue;
            }
            int errno = Errno.Last;
            if (errno == Errno.EISDIR)
            {
                RemoveTree(dir, child, childPath, keep: null);
            }
            else if (errno != Errno.ENOENT)
            {
                throw CheckIo.Error("remove", childPath, errno);
            }
        }
    }

    /// <summary>Sets mode, mtime and user xattrs of a directory, if it is still one.</summary>
    public bool SetDirMetadata(string path, uint mode, DateTimeOffset mtime)
    {
        using var fd = OpenDir(path);
        if (fd.IsInvalid)
        {
            // Replaced or removed by a later layer: its metadata no longer applies.
            return false;
        }
        SetModeAndTime(fd, path, mode, mtime);
        return true;
    }

    /// <summary>fchmod and futimens (both times to mtime) on a file or directory open as fd.</summary>
    public static void SetModeAndTime(SafeFd fd, string path, uint mode, DateTimeOffset mtime)
    {
        CheckIo.Check(Libc.FChmod(fd, mode), "chmod", path);
        SetTime(fd, path, mtime);
    }

    public static void SetTime(SafeFd fd, string path, DateTimeOffset mtime)
    {
        var times = stackalloc Libc.Timespec[2];
        times[0] = times[1] = Libc.Timespec.Of(mtime);
        CheckIo.Check(Libc.FUtimens(fd, times), "set time of", path);
    }

    /// <summary>Opens an existing directory (not through a symlink) beneath the root; invalid if it is gone.</summary>
    public SafeFd OpenDir(string path) =>
        Libc.OpenAt2(_root, path.Length == 0 ? "." : path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, Resolve);

    public void Dispose()
    {
        ForgetDirs();
        _root.Dispose();
    }
}
