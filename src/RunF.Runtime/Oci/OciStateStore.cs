using System.Text.Json;
using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Oci;

/// <summary>
/// The OCI containers of one --root: a directory per container id holding runf's record
/// (state.json), the copy of its config.json that delete (poststop hooks) and exec read, and the
/// exec fifo while it is created. Like runc's /run/runc: root's default is /run/runf, a user's
/// $XDG_RUNTIME_DIR/runf-oci (else /tmp/runf-oci-UID).
/// </summary>
public sealed class OciStateStore
{
    private const uint Mode0700 = 0x1c0, Mode0711 = 0x1c9;

    public string Root { get; }

    private OciStateStore(string root) => Root = root;

    public static string DefaultRoot()
    {
        var uid = Libc.GetEuid();
        if (uid == 0 && OciCaller.IsInitialUserNamespace(SmallFiles.ReadText("/proc/self/uid_map")))
        {
            return "/run/runf";
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return !string.IsNullOrEmpty(xdg) && Libc.Stat(xdg, Libc.AT_SYMLINK_NOFOLLOW)?.Uid == uid ? Path.Combine(xdg, "runf-oci") : $"/tmp/runf-oci-{uid}";
    }

    /// <summary>The store at root (made if missing, private to the caller); null root: the default.</summary>
    public static OciStateStore Open(string? root)
    {
        root = string.IsNullOrEmpty(root) ? DefaultRoot() : Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        if (Libc.Stat(root, Libc.AT_SYMLINK_NOFOLLOW) is not { } status || status.Type != Libc.S_IFDIR || status.Uid != Libc.GetEuid())
        {
            throw new RunfException($"--root {root} is not a directory owned by uid {Libc.GetEuid()}: pass another --root");
        }
        if ((status.Mode & 0x3f) != 0)
        {
            using var dir = Libc.Open(root, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
            if (dir.IsInvalid || Libc.FChmod(dir, Mode0700) != 0)
            {
                throw CheckIo.Error("make private", root);
            }
        }
        return new OciStateStore(root);
    }

    /// <summary>As runc: letters, digits, _ + - . ; not . or ..</summary>
    public static void CheckId(string id)
    {
        if (id.Length is 0 or > 1024 || id is "." or ".." || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.'))
        {
            throw new RunfException($"invalid container id \"{id}\": expected letters, digits, _ + - . (runc's rule)");
        }
    }

    public string DirOf(string id)
    {
        CheckId(id);
        return Path.Combine(Root, id);
    }

    public string FifoOf(string id) => Path.Combine(DirOf(id), "exec.fifo");

    /// <summary>Makes the container's directory and its exec fifo; an id in use is an error.</summary>
    public string Reserve(string id)
    {
        var dir = DirOf(id);
        if (Libc.MkDir(dir, Mode0711) != 0)
        {
            throw Errno.Last == Errno.EEXIST
                ? new RunfException($"container {id} already exists in {Root}: delete it first (runf delete {id})")
                : CheckIo.Error("create container directory", dir);
        }
        if (Libc.MkFifo(FifoOf(id), 0x180) != 0) // 0600
        {
            var e = CheckIo.Error("create exec fifo in", dir);
            Remove(id);
            throw e;
        }
        return dir;
    }

    public void Remove(string id) => Directory.Delete(DirOf(id), recursive: true);

    public void Write(OciRecord record)
    {
        var bytes = JsonText.Write(json => record.WriteTo(json), indented: true);
        var file = Path.Combine(DirOf(record.Id), "state.json");
        if (AtomicFile.Write(file, bytes) is var errno and not 0)
        {
            throw new RunfException($"cannot write {file}: {Errno.Describe(errno)}");
        }
    }

    /// <summary>The record of id; an unknown id is runc's "does not exist" error.</summary>
    public OciRecord Read(string id)
    {
        var file = Path.Combine(DirOf(id), "state.json");
        var bytes = WholeFile.Read(file) ?? throw new RunfException($"container {id} does not exist in {Root}", ExitCodes.RunfError);
        try
        {
            return OciRecord.Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new RunfException($"{file} is damaged: runf delete --force {id} removes it");
        }
    }

    /// <summary>The config.json the container was created from (copied at create).</summary>
    public OciConfig Config(string id) => OciConfigLoader.Parse(WholeFile.Read(Path.Combine(DirOf(id), "config.json")) ?? throw new RunfException($"container {id} has lost its config.json"), "config.json");

    public IReadOnlyList<string> Ids() =>
        [.. Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(id => File.Exists(Path.Combine(Root, id, "state.json"))).Order()];
}
