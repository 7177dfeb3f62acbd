using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.State;

/// <summary>
/// The per-user directory of running containers ($XDG_RUNTIME_DIR/runf, else /tmp/runf-UID):
/// one ID.json per container. Creating it with O_EXCL makes an id unique among concurrent runs;
/// the owning runf holds an flock on it, so a file whose lock can be taken belongs to a runf that
/// died (SIGKILL) and is swept by the next run.
/// </summary>
public sealed class StateDirectory
{
    private const int MaxNameAttempts = 32;

    private const uint Mode0700 = 0x1c0, Mode0600 = 0x180;
    private static readonly TimeSpan SweepGrace = TimeSpan.FromSeconds(2);

    public string Path { get; }

    private StateDirectory(string path) => Path = path;

    public static StateDirectory ForCurrentUser()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var uid = Libc.GetEuid();
        // XDG_RUNTIME_DIR only when it is really this user's (not root's, inherited through setpriv or sudo).
        var path = !string.IsNullOrEmpty(xdg) && Libc.Stat(xdg, Libc.AT_SYMLINK_NOFOLLOW)?.Uid == uid
            ? System.IO.Path.Combine(xdg, "runf")
            : $"/tmp/runf-{uid}";
        if (Libc.MkDir(path, Mode0700) != 0 && Errno.Last != Errno.EEXIST)
        {
            throw CheckIo.Error("create state directory", path);
        }
        // /tmp is shared: refuse a directory (or symlink) another user planted there.
        if (Libc.Stat(path, Libc.AT_SYMLINK_NOFOLLOW) is not { } status || status.Uid != uid || status.Type != Libc.S_IFDIR || (status.Mode & 0x3f) != 0)
        {
            throw new RunfException($"state directory {path} is not a private directory owned by uid {uid}: remove it or set XDG_RUNTIME_DIR");
        }
        return new StateDirectory(path);
    }

    /// <summary>Claims a name for a new container; null when another container holds it.</summary>
    public StateFile? TryReserve(string id)
    {
        var path = FileOf(id);
        var fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, Mode0600);
        if (fd.IsInvalid)
        {
            return Errno.Last == Errno.EEXIST
                ? null
                : throw CheckIo.Error("create state file in", Path);
        }
        // Blocking: a sweeping runf may hold the lock for an instant, and it must end up ours.
        Libc.Flock(fd, Libc.LOCK_EX);
        return new StateFile(id, path, fd);
    }

    /// <summary>Claims the name the user gave (--name), as docker run checks its names; a stale record of it is swept first.</summary>
    public StateFile Reserve(string name)
    {
        if (name.Length is 0 or > 64 || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            throw new RunfException($"invalid --name \"{name}\": expected up to 64 letters, digits, _ . - starting with a letter or digit");
        }
        if (TryReserve(name) is { } file)
        {
            return file;
        }
        SweepStale();
        return TryReserve(name) ?? throw new RunfException($"container name \"{name}\" is in use by a running container (runf ps): choose another --name, or runf kill {name}");
    }

    /// <summary>Claims a fresh random name (the container's id and hostname).</summary>
    public StateFile ReserveNew()
    {
        for (var attempt = 0; attempt < MaxNameAttempts; attempt++)
        {
            if (TryReserve(Naming.NameGenerator.Next()) is { } file)
            {
                return file;
            }
        }
        throw new RunfException($"cannot find a free container name in {Path}: remove stale files there");
    }

    /// <summary>Every state file, including those of a runf that died (see ContainerList and SweepStale).</summary>
    public List<string> Files()
    {
        var files = DirectoryNames.FilesIn(Path);
        files.RemoveAll(name => !name.EndsWith(".json", StringComparison.Ordinal));
        for (var i = 0; i < files.Count; i++)
        {
            files[i] = System.IO.Path.Combine(Path, files[i]);
        }
        return files;
    }

    /// <summary>Removes the state files of runf processes that were killed before they could.</summary>
    public void SweepStale()
    {
        foreach (var file in Files())
        {
            using var fd = Libc.Open(file, Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd.IsInvalid)
            {
                continue;
            }
            // A just-reserved file may not be locked yet: leave young ones alone.
            if (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) == 0 && DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > SweepGrace)
            {
                Libc.Unlink(file);
            }
        }
    }

    /// <summary>Whether a container of this user with that id is recorded.</summary>
    public bool IsLive(string id) => File.Exists(FileOf(id));

    private string FileOf(string id) => System.IO.Path.Combine(Path, id + ".json");
}
