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
    private const ulong Resolve = Native.ResolveInRoot | Native.ResolveNoSymlinks | Native.ResolveNoMagicLinks;
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

    public static RootDir Open(string path)
    {
        int fd = Native.OpenAt(Native.AtFdCwd, path, Native.ORdOnly | Native.ODirectory | Native.OCloExec, 0);
        if (fd < 0)
        {
            throw Fail(Native.Errno, $"open {path}");
        }
        return new RootDir(new SafeFd(fd));
    }

    /// <summary>
    /// The fd of directory <paramref name="dir"/> ("" is the root). With create, missing
    /// directories are made (mode 0755, as Docker does for parents a layer does not list);
    /// without it, a missing directory returns -1.
    /// </summary>
    public int Dir(string dir, bool create)
    {
        if (dir.Length == 0)
        {
            return _root.Fd;
        }
        if (_dirs.TryGetValue(dir, out var cached))
        {
            return cached.Fd;
        }
        int fd = Native.OpenAt2(_root.Fd, dir, Native.OPath | Native.ODirectory | Native.OCloExec, Resolve);
        if (fd < 0)
        {
            int errno = Native.Errno;
            if (errno == Native.ENoEnt)
            {
                if (!create)
                {
                    return -1;
                }
                return CreateDirs(dir);
            }
            throw DirFailure(errno, dir);
        }
        return Remember(dir, fd);
    }

    private int Remember(string dir, int fd)
    {
        _dirs[dir] = new SafeFd(fd);
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

    private int CreateDirs(string dir)
    {
        var (parent, name) = EntryPath.Split(dir);
        int parentFd = Dir(parent, create: true);
        if (Native.MkdirAt(parentFd, name, Mode.Perm0755) != 0 && Native.Errno != Native.EExist)
        {
            throw Fail(Native.Errno, $"create directory {dir}");
        }
        int fd = Native.OpenAt2(_root.Fd, dir, Native.OPath | Native.ODirectory | Native.OCloExec, Resolve);
        if (fd < 0)
        {
            throw DirFailure(Native.Errno, dir);
        }
        return Remember(dir, fd);
    }

    private static RootfsException DirFailure(int errno, string dir) => errno switch
    {
        Native.ELoop => new RootfsException($"a component of \"{dir}\" is a symlink; refusing to follow it"),
        Native.ENotDir => new RootfsException($"a component of \"{dir}\" is not a directory"),
        Native.EAgain or Native.ENoSys => new RootfsException($"openat2 on \"{dir}\" failed: the kernel must support openat2 (linux 5.6 or later)"),
        _ => Fail(errno, $"open directory {dir}"),
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

    /// <summary>Creates a regular file for writing, replacing whatever is at the path. Returns its fd.</summary>
    public int CreateFile(int dirFd, string name, string path, uint mode)
    {
        int flags = Native.OWrOnly | Native.OCreat | Native.OExcl | Native.ONoFollow | Native.OCloExec;
        int fd = Native.OpenAt(dirFd, name, flags, mode & Mode.Perm0777);
        if (fd < 0 && Native.Errno == Native.EExist)
        {
            Remove(dirFd, name, path);
            fd = Native.OpenAt(dirFd, name, flags, mode & Mode.Perm0777);
        }
        if (fd < 0)
        {
            throw Fail(Native.Errno, $"create {path}");
        }
        return fd;
    }

    /// <summary>Makes a directory, or merges into an existing one; a non-directory there is replaced.</summary>
    public void MakeDir(int dirFd, string name, string path)
    {
        if (Native.MkdirAt(dirFd, name, Mode.Perm0700) == 0)
        {
            return;
        }
        int errno = Native.Errno;
        if (errno != Native.EExist)
        {
            throw Fail(errno, $"create directory {path}");
        }
        long mode = Native.LStatMode(dirFd, name);
        if (mode >= 0 && (mode & Native.SIfMt) == Native.SIfDir)
        {
            return;
        }
        Remove(dirFd, name, path);
        if (Native.MkdirAt(dirFd, name, Mode.Perm0700) != 0)
        {
            throw Fail(Native.Errno, $"create directory {path}");
        }
    }

    public void Symlink(int dirFd, string name, string path, string target)
    {
        if (Native.SymlinkAt(target, dirFd, name) == 0)
        {
            return;
        }
        if (Native.Errno != Native.EExist)
        {
            throw Fail(Native.Errno, $"create symlink {path}");
        }
        Remove(dirFd, name, path);
        if (Native.SymlinkAt(target, dirFd, name) != 0)
        {
            throw Fail(Native.Errno, $"create symlink {path}");
        }
    }

    /// <summary>Hard-links path to target (both root-relative). The target must be an existing non-symlink, non-directory.</summary>
    public void HardLink(int dirFd, string name, string path, string target)
    {
        var (targetParent, targetName) = EntryPath.Split(target);
        int targetDir = Dir(targetParent, create: false);
        long mode = targetDir < 0 ? -1 : Native.LStatMode(targetDir, targetName);
        if (mode < 0)
        {
            throw new RootfsException($"hardlink target \"{target}\" does not exist");
        }
        if ((mode & Native.SIfMt) == Native.SIfLnk)
        {
            throw new RootfsException($"hardlink target \"{target}\" is a symlink; refusing to link it");
        }
        if ((mode & Native.SIfMt) == Native.SIfDir)
        {
            throw new RootfsException($"hardlink target \"{target}\" is a directory");
        }
        if (Native.LinkAt(targetDir, targetName, dirFd, name, 0) == 0)
        {
            return;
        }
        if (Native.Errno != Native.EExist)
        {
            throw Fail(Native.Errno, $"link {path} to {target}");
        }
        Remove(dirFd, name, path);
        // Removing a directory at path drops cached fds below it, which may include the target's.
        targetDir = Dir(targetParent, create: false);
        if (targetDir < 0 || Native.LinkAt(targetDir, targetName, dirFd, name, 0) != 0)
        {
            throw Fail(Native.Errno, $"link {path} to {target}");
        }
    }

    public void MakeFifo(int dirFd, string name, string path, uint mode)
    {
        if (Native.MknodAt(dirFd, name, Native.SIfIfo | (mode & Mode.Perm0777), 0) == 0)
        {
            return;
        }
        if (Native.Errno != Native.EExist)
        {
            throw Fail(Native.Errno, $"create fifo {path}");
        }
        Remove(dirFd, name, path);
        if (Native.MknodAt(dirFd, name, Native.SIfIfo | (mode & Mode.Perm0777), 0) != 0)
        {
            throw Fail(Native.Errno, $"create fifo {path}");
        }
    }

    public void SetSymlinkTime(int dirFd, string name, string path, DateTimeOffset mtime)
    {
        var times = stackalloc Native.Timespec[2];
        times[0] = times[1] = Native.ToTimespec(mtime);
        if (Native.UtimensAt(dirFd, name, times, Native.AtSymlinkNoFollow) != 0)
        {
            throw Fail(Native.Errno, $"set time of {path}");
        }
    }

    /// <summary>Whether anything (of any type, not following symlinks) exists at name.</summary>
    public static bool Exists(int dirFd, string name) => Native.LStatMode(dirFd, name) >= 0;

    /// <summary>Removes name (recursively if a directory); a missing name is not an error.</summary>
    public void Remove(int dirFd, string name, string path)
    {
        if (Native.UnlinkAt(dirFd, name, 0) == 0)
        {
            return;
        }
        int errno = Native.Errno;
        if (errno == Native.ENoEnt)
        {
            return;
        }
        if (errno != Native.EIsDir)
        {
            throw Fail(errno, $"remove {path}");
        }
        ForgetUnder(path);
        RemoveTree(dirFd, name, path, keep: null);
        TreeRemoved?.Invoke(path);
    }

    /// <summary>
    /// Empties directory path except for the paths in keep (and, inside kept directories, their
    /// own kept children): the opaque-whiteout rule that hides lower-layer content only.
    /// </summary>
    public void RemoveChildren(string path, ISet<string>? keep)
    {
        int fd = Native.OpenAt2(_root.Fd, path.Length == 0 ? "." : path, Native.ORdOnly | Native.ODirectory | Native.OCloExec, Resolve);
        if (fd < 0)
        {
            int errno = Native.Errno;
            if (errno == Native.ENoEnt)
            {
                return;
            }
            throw DirFailure(errno, path);
        }
        ForgetUnder(path);
        using var handle = new SafeFd(fd);
        EmptyDir(fd, path, keep);
    }

    private static void RemoveTree(int parentFd, string name, string path, ISet<string>? keep)
    {
        int fd = Native.OpenAt(parentFd, name, Native.ORdOnly | Native.ODirectory | Native.ONoFollow | Native.OCloExec, 0);
        if (fd < 0)
        {
            throw Fail(Native.Errno, $"open directory {path}");
        }
        using var handle = new SafeFd(fd);
        if (keep is null)
        {
            RemoveOpened(parentFd, name, fd, path);
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
    /// extraction may sweep an empty work directory). fd stays the caller's to close.
    /// </summary>
    public static void RemoveOpened(int parentFd, string name, int fd, string path)
    {
        EmptyDir(fd, path, keep: null);
        if (Native.UnlinkAt(parentFd, name, Native.AtRemoveDir) != 0 && Native.Errno != Native.ENoEnt)
        {
            throw Fail(Native.Errno, $"remove directory {path}");
        }
    }

    // Directories of the image may lack write or search permission for an unprivileged owner,
    // so each is made 0700 before it is emptied.
    private static void EmptyDir(int fd, string path, ISet<string>? keep)
    {
        Native.FChmod(fd, Mode.Perm0700);
        foreach (var (child, isDir) in DirListing.Read(fd, path))
        {
            string childPath = EntryPath.Join(path, child);
            if (keep is not null && keep.Contains(childPath))
            {
                if (isDir)
                {
                    RemoveTree(fd, child, childPath, keep);
                }
                continue;
            }
            if (Native.UnlinkAt(fd, child, 0) == 0)
            {
                continue;
            }
            int errno = Native.Errno;
            if (errno == Native.EIsDir)
            {
                RemoveTree(fd, child, childPath, keep: null);
            }
            else if (errno != Native.ENoEnt)
            {
                throw Fail(errno, $"remove {childPath}");
            }
        }
    }

    /// <summary>Sets mode, mtime and user xattrs of a directory, if it is still one.</summary>
    public bool SetDirMetadata(string path, uint mode, DateTimeOffset mtime)
    {
        int fd = Native.OpenAt2(_root.Fd, path.Length == 0 ? "." : path, Native.ORdOnly | Native.ODirectory | Native.ONoFollow | Native.OCloExec, Resolve);
        if (fd < 0)
        {
            // Replaced or removed by a later layer: its metadata no longer applies.
            return false;
        }
        try
        {
            if (Native.FChmod(fd, mode) != 0)
            {
                throw Fail(Native.Errno, $"chmod {path}");
            }
            var times = stackalloc Native.Timespec[2];
            times[0] = times[1] = Native.ToTimespec(mtime);
            if (Native.FUtimens(fd, times) != 0)
            {
                throw Fail(Native.Errno, $"set time of {path}");
            }
            return true;
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>Opens an existing directory for fsetxattr; -1 if it is gone.</summary>
    public int OpenDirForXattr(string path) =>
        Native.OpenAt2(_root.Fd, path.Length == 0 ? "." : path, Native.ORdOnly | Native.ODirectory | Native.ONoFollow | Native.OCloExec, Resolve);

    public static RootfsException Fail(int errno, string what) => new($"{what}: {Native.ErrorText(errno)}");

    public void Dispose()
    {
        ForgetDirs();
        _root.Dispose();
    }
}
