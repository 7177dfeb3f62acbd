using System.Text.Json;
using RunF.Runtime.Errors;
using RunF.Runtime.Interop;

namespace RunF.Runtime.State;

/// <summary>
/// The per-user directory of running containers ($XDG_RUNTIME_DIR/runf, else /tmp/runf-UID):
/// one ID.json per container. Creating the file with O_EXCL is what makes an id unique among
/// concurrent runs; it is removed when the container has exited.
/// </summary>
public sealed class StateDirectory
{
    private const int Mode0700 = 0x1c0, Mode0600 = 0x180;

    public string Path { get; }

    private StateDirectory(string path) => Path = path;

    public static StateDirectory ForCurrentUser()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var uid = Libc.GetEuid();
        // XDG_RUNTIME_DIR only when it is really this user's (not root's, inherited through setpriv or sudo).
        var path = !string.IsNullOrEmpty(xdg) && Libc.StatOwner(xdg) is var (xdgOwner, _) && xdgOwner == uid
            ? System.IO.Path.Combine(xdg, "runf")
            : $"/tmp/runf-{uid}";
        if (Libc.MkDir(path, Mode0700) != 0 && Libc.LastErrno != Libc.EEXIST)
        {
            throw new RunfException($"cannot create state directory {path}: {Libc.Describe(Libc.LastErrno)}");
        }
        // /tmp is shared: refuse a directory (or symlink) another user planted there.
        if (Libc.StatOwner(path) is not var (owner, mode) || owner != uid || (mode & Libc.S_IFMT) != Libc.S_IFDIR || (mode & 0x3f) != 0)
        {
            throw new RunfException($"state directory {path} is not a private directory owned by uid {uid}: remove it or set XDG_RUNTIME_DIR");
        }
        return new StateDirectory(path);
    }

    /// <summary>Claims a name for a new container; false when another container holds it.</summary>
    public bool TryReserve(string id)
    {
        var fd = Libc.Open(FileOf(id), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, Mode0600);
        if (fd < 0)
        {
            return Libc.LastErrno == Libc.EEXIST
                ? false
                : throw new RunfException($"cannot create state file in {Path}: {Libc.Describe(Libc.LastErrno)}");
        }
        Libc.Close(fd);
        return true;
    }

    /// <summary>Records a started container, replacing its reservation atomically.</summary>
    public void Record(ContainerState state)
    {
        var tmp = System.IO.Path.Combine(Path, $".{state.Id}.tmp");
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("id", state.Id);
            json.WriteNumber("pid", state.Pid);
            json.WriteString("rootfs", state.Rootfs);
            json.WriteStartArray("command");
            foreach (var arg in state.Command)
            {
                json.WriteStringValue(arg);
            }
            json.WriteEndArray();
            json.WriteString("started", state.Started);
            json.WriteEndObject();
        }
        File.Move(tmp, FileOf(state.Id), overwrite: true);
    }

    public void Remove(string id) => Libc.Unlink(FileOf(id));

    private string FileOf(string id) => System.IO.Path.Combine(Path, id + ".json");
}

/// <summary>What `runf ps` shows of a running container.</summary>
public sealed record ContainerState(string Id, int Pid, string Rootfs, IReadOnlyList<string> Command, DateTimeOffset Started);
