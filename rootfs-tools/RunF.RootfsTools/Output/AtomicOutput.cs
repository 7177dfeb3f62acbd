using RunF.Interop;
using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Output;

/// <summary>
/// Extraction goes to a locked work directory next to the destination (<see cref="WorkDir"/>:
/// same filesystem, so the final renames are atomic), after the leftovers of killed
/// extractions there are removed. Commit renames the tree and the sidecars into place;
/// Dispose removes the work directory with whatever is left in it (everything, without
/// Commit). DIR is never seen half-written, and an existing DIR is only replaced with --force.
/// </summary>
internal sealed class AtomicOutput : IDisposable
{
    private const string TreeName = "rootfs";
    private const string ReplacedName = "replaced";

    private readonly string _final;
    private readonly bool _force;
    private readonly WorkDir _work;
    private readonly List<(string Temp, string Final)> _sidecars = [];

    public AtomicOutput(string destination, bool force)
    {
        _final = Path.GetFullPath(destination.TrimEnd('/'));
        _force = force;
        string parent = Path.GetDirectoryName(_final) ?? throw new RootfsException("the output directory cannot be /");
        if (!Libc.IsDirectory(parent))
        {
            throw new RootfsException($"the parent of output {destination}, {parent}, does not exist; create it first");
        }
        if (!force && Libc.Stat(_final, Libc.AT_SYMLINK_NOFOLLOW) is not null)
        {
            throw new RootfsException($"output {destination} already exists; use --force to replace it");
        }
        Leftovers.Sweep(parent);
        _work = WorkDir.Create(parent, Path.GetFileName(_final));
        TempDir = Path.Combine(_work.Path, TreeName);
        if (Libc.MkDir(TempDir, Mode.Perm0700) != 0)
        {
            var error = CheckIo.Error("create a temporary directory in", parent);
            _work.Dispose();
            throw error;
        }
    }

    /// <summary>Where the tree is built.</summary>
    public string TempDir { get; }

    /// <summary>The work directory, for other temporary files (a spooled archive).</summary>
    public string WorkPath => _work.Path;

    public string FinalPath => _final;

    /// <summary>A temporary path for the sidecar that will be named finalPath on commit.</summary>
    public string Sidecar(string finalPath)
    {
        string temp = Path.Combine(_work.Path, Path.GetFileName(finalPath));
        _sidecars.Add((temp, finalPath));
        return temp;
    }

    public void Commit()
    {
        int errno = Move(TempDir, _final, Libc.RENAME_NOREPLACE);
        if (errno != 0)
        {
            if (errno != Errno.EEXIST || !_force)
            {
                throw errno == Errno.EEXIST
                    ? new RootfsException($"output {_final} appeared while extracting; use --force to replace it")
                    : CheckIo.Error("rename", $"{TempDir} to {_final}", errno);
            }
            // --force: move the old tree into the work directory first, so the swap itself is a
            // rename too and the old tree goes when the work directory does.
            Rename(_final, Path.Combine(_work.Path, ReplacedName));
            Rename(TempDir, _final);
        }
        foreach (var (temp, final) in _sidecars)
        {
            Rename(temp, final);
        }
    }

    private static void Rename(string from, string to)
    {
        int errno = Move(from, to, 0);
        if (errno != 0)
        {
            throw CheckIo.Error("rename", $"{from} to {to}", errno);
        }
    }

    // Renames a file or directory; returns 0 or the errno. Moving a directory to another parent
    // rewrites its "..", which the kernel allows an unprivileged owner only in a directory it
    // may write: a tree whose root the image made read-only gets u+w for the move, and its mode
    // back after.
    private static int Move(string from, string to, uint flags)
    {
        using var dir = Libc.Open(from, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        uint mode = !dir.IsInvalid && Libc.FStat(dir) is { } status ? status.Mode & Mode.Perm7777 : Mode.Perm0200;
        bool unlock = (mode & Mode.Perm0200) == 0 && Libc.FChmod(dir, mode | Mode.Perm0200) == 0;
        int errno = Libc.Rename(from, to, flags) == 0 ? 0 : Errno.Last;
        if (unlock)
        {
            CheckIo.Check(Libc.FChmod(dir, mode), "chmod", to);
        }
        return errno;
    }

    public void Dispose() => _work.Dispose();
}
