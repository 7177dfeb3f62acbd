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
        if (!Directory.Exists(parent))
        {
            throw new RootfsException($"the parent of output {destination}, {parent}, does not exist; create it first");
        }
        if (!force && Path.Exists(_final))
        {
            throw new RootfsException($"output {destination} already exists; use --force to replace it");
        }
        Leftovers.Sweep(parent);
        _work = WorkDir.Create(parent, Path.GetFileName(_final));
        TempDir = Path.Combine(_work.Path, TreeName);
        if (Native.MkdirAt(Native.AtFdCwd, TempDir, Mode.Perm0700) != 0)
        {
            int errno = Native.Errno;
            _work.Dispose();
            throw RootDir.Fail(errno, $"cannot create a temporary directory in {parent}");
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
        int errno = Move(TempDir, _final, Native.RenameNoReplace);
        if (errno != 0)
        {
            if (errno != Native.EExist || !_force)
            {
                throw errno == Native.EExist
                    ? new RootfsException($"output {_final} appeared while extracting; use --force to replace it")
                    : RootDir.Fail(errno, $"rename {TempDir} to {_final}");
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
            throw RootDir.Fail(errno, $"rename {from} to {to}");
        }
    }

    // Renames a file or directory; returns 0 or the errno. Moving a directory to another parent
    // rewrites its "..", which the kernel allows an unprivileged owner only in a directory it
    // may write: a tree whose root the image made read-only gets u+w for the move, and its mode
    // back after.
    private static int Move(string from, string to, uint flags)
    {
        int fd = Native.OpenAt(Native.AtFdCwd, from, Native.ORdOnly | Native.ODirectory | Native.ONoFollow | Native.OCloExec, 0);
        using var dir = fd < 0 ? null : new SafeFd(fd);
        uint mode = dir is not null && Native.FStat(fd) is { } status ? status.Mode & Mode.Perm7777 : Mode.Perm0200;
        bool unlock = (mode & Mode.Perm0200) == 0 && Native.FChmod(fd, mode | Mode.Perm0200) == 0;
        int errno = Native.RenameAt2(Native.AtFdCwd, from, Native.AtFdCwd, to, flags) == 0 ? 0 : Native.Errno;
        if (unlock && Native.FChmod(fd, mode) != 0)
        {
            throw RootDir.Fail(Native.Errno, $"chmod {to}");
        }
        return errno;
    }

    public void Dispose() => _work.Dispose();
}
