using RunF.Interop;
using RunF.RootfsTools.Safety;

namespace RunF.Fuzz;

/// <summary>
/// The directory a target writes in, and the proof that it wrote nowhere else. It lives at a
/// fixed path per target (/dev/shm/runf-fuzz-TARGET, or $RUNF_FUZZ_DIR/TARGET) so that the
/// dictionary can name it: out/ is the output the extractor may write, canary/ beside it holds a
/// file and a directory that nothing may touch, and the process's working directory is the
/// sandbox itself, so a relative path that escapes the output's descriptor lands where the
/// check sees it. After each input: the sandbox holds only what it may, the canary is as made
/// (content, mode, one link: a hardlink to it from inside the output would count), and out/ is
/// emptied with the extractor's own removal, which must cope with whatever tree an image made.
/// </summary>
internal sealed class Sandbox
{
    private const string CanaryText = "canary\n";
    private static readonly Dictionary<string, Sandbox> Opened = [];

    private readonly HashSet<string> _allowed;
    private readonly SafeFd _lock;

    private Sandbox(string path, IEnumerable<string> allowed, SafeFd lockFile)
    {
        _lock = lockFile;
        Path = path;
        Output = System.IO.Path.Combine(path, "out");
        Canary = System.IO.Path.Combine(path, "canary");
        _allowed = ["out", "canary", .. allowed];
    }

    public string Path { get; }
    public string Output { get; }
    public string Canary { get; }

    /// <summary>The target's sandbox, made on first use; allowed: other names the target itself writes in it.</summary>
    public static Sandbox For(string target, params string[] allowed)
    {
        if (Opened.TryGetValue(target, out var open))
        {
            return open;
        }
        string root = Environment.GetEnvironmentVariable("RUNF_FUZZ_DIR") is { Length: > 0 } dir
            ? System.IO.Path.Combine(dir, target)
            : $"/dev/shm/runf-fuzz-{target}";
        var sandbox = new Sandbox(root, allowed, Lock(root));
        sandbox.Create();
        Opened[target] = sandbox;
        return sandbox;
    }

    // Held for the process's life: a replay must not empty the sandbox of a running campaign.
    private static SafeFd Lock(string root)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(root)!);
        var fd = Libc.Open(root + ".lock", Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1A4);
        if (fd.IsInvalid || Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            throw new InvalidOperationException($"{root} is in use by another fuzz run; give this one its own with RUNF_FUZZ_DIR=DIR");
        }
        return fd;
    }

    private void Create()
    {
        if (Directory.Exists(Path))
        {
            Remove(Path);
        }
        Directory.CreateDirectory(Path);
        Directory.CreateDirectory(Output);
        Directory.CreateDirectory(System.IO.Path.Combine(Canary, "dir"));
        File.WriteAllText(System.IO.Path.Combine(Canary, "file"), CanaryText);
        File.SetUnixFileMode(System.IO.Path.Combine(Canary, "file"), (UnixFileMode)0x1A4);
        Directory.SetCurrentDirectory(Path);
    }

    /// <summary>Starts an input on an empty out/, even after an input whose reset failed (a finding of its own).</summary>
    public void Begin()
    {
        if (Directory.EnumerateFileSystemEntries(Output).Any())
        {
            Reset();
        }
    }

    /// <summary>Throws <see cref="EscapeException"/> if anything outside out/ changed.</summary>
    public void Check()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path))
        {
            string name = System.IO.Path.GetFileName(entry);
            if (!_allowed.Contains(name))
            {
                throw new EscapeException($"{entry} appeared beside the output");
            }
        }
        string file = System.IO.Path.Combine(Canary, "file");
        var status = Libc.Stat(file, Libc.AT_SYMLINK_NOFOLLOW) ?? throw new EscapeException($"{file} is gone");
        if (status.Type != Libc.S_IFREG || status.Links != 1 || (status.Mode & 0xFFF) != 0x1A4 || File.ReadAllText(file) != CanaryText)
        {
            throw new EscapeException($"{file} changed: type {status.Type:x}, {status.Links} links, mode {status.Mode & 0xFFF:x}");
        }
        var names = Directory.EnumerateFileSystemEntries(Canary).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (names is not ["dir", "file"] || Directory.EnumerateFileSystemEntries(System.IO.Path.Combine(Canary, "dir")).Any()
            || Libc.Stat(System.IO.Path.Combine(Canary, "dir"), Libc.AT_SYMLINK_NOFOLLOW)?.Type != Libc.S_IFDIR)
        {
            throw new EscapeException($"{Canary} changed: {string.Join(", ", names)}");
        }
        if (Libc.Stat(Output, Libc.AT_SYMLINK_NOFOLLOW)?.Type != Libc.S_IFDIR)
        {
            throw new EscapeException($"{Output} was replaced");
        }
    }

    /// <summary>Empties out/ (the extractor's removal, which chmods what an image made unreadable) and removes other allowed files.</summary>
    public void Reset()
    {
        using (var dir = Libc.Open(Output, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC))
        using (var parent = Libc.Open(Path, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC))
        {
            RootDir.RemoveOpened(parent, "out", dir, Output);
        }
        Directory.CreateDirectory(Output);
        foreach (var name in _allowed.Where(n => n is not ("out" or "canary")))
        {
            string path = System.IO.Path.Combine(Path, name);
            if (Directory.Exists(path))
            {
                Remove(path);
            }
            else
            {
                File.Delete(path);
            }
        }
    }

    private static void Remove(string path)
    {
        using var dir = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        using var parent = Libc.Open(System.IO.Path.GetDirectoryName(path)!, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        RootDir.RemoveOpened(parent, System.IO.Path.GetFileName(path), dir, path);
    }
}

/// <summary>A write outside the output directory: always a finding.</summary>
internal sealed class EscapeException(string message) : Exception(message);
