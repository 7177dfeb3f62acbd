using RunF.Interop;
using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Output;

/// <summary>
/// The private directory an extraction works in, ".DIR.runf-TOKEN" (mode 0700) beside its
/// destination DIR: it holds the tree being built, the sidecars, a spooled archive and, with
/// --force, the replaced tree on its way out. Its file "lock" is flocked by the extracting
/// process for as long as the directory exists. The kernel drops that lock however the
/// process dies, SIGKILL included, so a later extraction can tell a leftover from a live
/// extraction (<see cref="Leftovers"/>) without process ids, which are reused.
/// </summary>
internal sealed class WorkDir : IDisposable
{
    public const string LockName = "lock";
    private const string Marker = ".runf-";
    private const int TokenLength = 12;
    private const int MaxAttempts = 32;

    private readonly SafeFd _parent;
    private readonly SafeFd _dir;
    private readonly SafeFd _lock;
    private readonly string _name;
    private bool _removed;

    private WorkDir(SafeFd parent, string parentPath, string name, SafeFd dir, SafeFd lockFile)
    {
        _parent = parent;
        _name = name;
        _dir = dir;
        _lock = lockFile;
        Path = System.IO.Path.Combine(parentPath, name);
    }

    public string Path { get; }

    /// <summary>Whether name has the form of a work directory: ".", anything, ".runf-", 12 hex digits.</summary>
    public static bool IsWorkDirName(string name) =>
        name.Length > 1 + Marker.Length + TokenLength
        && name[0] == '.'
        && name.AsSpan(name.Length - TokenLength - Marker.Length, Marker.Length).SequenceEqual(Marker)
        && name.AsSpan(name.Length - TokenLength).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>Creates a locked work directory for destination name destinationName in parent.</summary>
    public static WorkDir Create(string parent, string destinationName)
    {
        // O_PATH: creating entries needs no read permission on the parent.
        var parentHandle = CheckIo.Check(Libc.Open(parent, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), "open", parent);
        try
        {
            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                // Guid rather than RandomNumberGenerator: that one loads OpenSSL on this thread.
                string name = $".{destinationName}{Marker}{Guid.NewGuid().ToString("N")[..TokenLength]}";
                if (TryCreate(parentHandle, parent, name) is { } created)
                {
                    return new WorkDir(parentHandle, parent, name, created.Dir, created.Lock);
                }
            }
        }
        catch
        {
            parentHandle.Dispose();
            throw;
        }
        parentHandle.Dispose();
        throw new RootfsException($"cannot create a temporary directory in {parent}: other extractions there kept removing it as a leftover; try again");
    }

    // Null when this attempt lost a race and must start over under a new name: the name was
    // taken, or a sweeping extraction saw the directory before it was locked, judged it a
    // leftover and removed it (an empty one, or one whose lock it took first).
    private static (SafeFd Dir, SafeFd Lock)? TryCreate(SafeFd parentFd, string parent, string name)
    {
        if (Libc.MkDirAt(parentFd, name, Mode.Perm0700) != 0)
        {
            return Errno.Last == Errno.EEXIST ? null : throw CheckIo.Error("create a temporary directory in", parent);
        }
        var dir = Libc.OpenAt(parentFd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        if (dir.IsInvalid)
        {
            int errno = Errno.Last;
            dir.Dispose();
            return errno == Errno.ENOENT ? null : throw CheckIo.Error("open", System.IO.Path.Combine(parent, name), errno);
        }
        var lockFile = Libc.OpenAt(dir, LockName, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, Mode.Perm0600);
        if (lockFile.IsInvalid)
        {
            int errno = Errno.Last;
            lockFile.Dispose();
            dir.Dispose();
            return errno == Errno.ENOENT ? null : throw Abandon(parentFd, name, errno, "create", System.IO.Path.Combine(parent, name, LockName));
        }
        if (Libc.Flock(lockFile, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            int errno = Errno.Last;
            if (errno != Errno.EAGAIN)
            {
                Libc.UnlinkAt(dir, LockName, 0);
            }
            lockFile.Dispose();
            dir.Dispose();
            return errno == Errno.EAGAIN ? null : throw Abandon(parentFd, name, errno, "lock", $"{System.IO.Path.Combine(parent, name, LockName)} (the filesystem must support flock)");
        }
        var status = Libc.FStat(lockFile) ?? throw CheckIo.Error("stat", System.IO.Path.Combine(parent, name, LockName));
        if (status.Links == 0)
        {
            lockFile.Dispose();
            dir.Dispose();
            return null;
        }
        return (dir, lockFile);
    }

    // A directory whose lock cannot be made or taken would never be swept: it goes now, empty.
    private static RootfsException Abandon(SafeFd parentFd, string name, int errno, string operation, string path)
    {
        Libc.UnlinkAt(parentFd, name, Libc.AT_REMOVEDIR);
        return CheckIo.Error(operation, path, errno);
    }

    /// <summary>Removes the directory and everything in it, then releases the lock.</summary>
    public void Dispose()
    {
        if (_removed)
        {
            return;
        }
        _removed = true;
        try
        {
            RootDir.RemoveOpened(_parent, _name, _dir, Path);
        }
        finally
        {
            _dir.Dispose();
            _lock.Dispose();
            _parent.Dispose();
        }
    }
}
