using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.State;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// Where this agent keeps the action an /init installs: STATE/action-RANDOM in runf's per-user
/// state directory (0700, so no other user of the executor reads or swaps the code), flocked
/// while the agent lives. Its code/ (0755) is bound read-only at /action in the action's
/// containers, never written into the rootfs. Removed when the agent exits; one whose lock is
/// free was left by an agent that was killed, and the next agent's start removes it.
/// mode=fn keeps its hot containers' socket directories the same way, as STATE/fn-RANDOM
/// (CreateShared).
/// </summary>
internal sealed class ActionDirectory : IDisposable
{
    private const string Prefix = "action-", Code = "code";
    private const uint Mode0700 = 0x1c0, Mode0755 = 0x1ed, Mode0777 = 0x1ff;
    private const long SweepGraceNs = 2_000_000_000;

    private readonly SafeFd _state;
    private readonly SafeFd _dir;
    private readonly string _name;

    private ActionDirectory(SafeFd state, SafeFd dir, string path, string name)
    {
        _state = state;
        _dir = dir;
        _name = name;
        DirectoryPath = path;
        CodePath = Path.Combine(path, Code);
    }

    /// <summary>The directory's host path.</summary>
    public string DirectoryPath { get; }

    /// <summary>The host path of code/, bound at /action.</summary>
    public string CodePath { get; }

    public static ActionDirectory Create(string prefix = Prefix)
    {
        var (state, statePath) = OpenState();
        try
        {
            for (var attempt = 0; attempt < 16; attempt++)
            {
                var name = prefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
                if (Libc.MkDirAt(state, name, Mode0700) != 0)
                {
                    if (Errno.Last == Errno.EEXIST)
                    {
                        continue;
                    }
                    throw new RunfException(IoError.Message("create the action directory in", statePath, Errno.Last));
                }
                var dir = Libc.OpenAt(state, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
                if (dir.IsInvalid || Libc.Flock(dir, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
                {
                    var errno = Errno.Last;
                    dir.Dispose();
                    throw new RunfException(IoError.Message("lock the action directory", Path.Combine(statePath, name), errno));
                }
                return new ActionDirectory(state, dir, Path.Combine(statePath, name), name);
            }
            throw new RunfException($"cannot find a free action directory name in {statePath}: remove the {prefix}* directories there");
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>An empty code/ for an install (what a failed one left is removed first); the caller disposes it.</summary>
    public SafeFd CreateCode()
    {
        RemoveCode();
        if (Libc.MkDirAt(_dir, Code, Mode0755) != 0)
        {
            throw new RunfException(IoError.Message("create", CodePath, Errno.Last));
        }
        // mkdir's mode passes through the umask: the container's user may not be the agent's.
        var code = Libc.OpenAt(_dir, Code, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        if (code.IsInvalid || Libc.FChmod(code, Mode0755) != 0)
        {
            var errno = Errno.Last;
            code.Dispose();
            throw new RunfException(IoError.Message("open", CodePath, errno));
        }
        return code;
    }

    /// <summary>
    /// A new directory name in this one, open to every user (mode=fn's socket directory: an FDK
    /// run as another user inside makes its socket there; only the agent can reach this one's
    /// parent); its host path.
    /// </summary>
    public string CreateShared(string name)
    {
        var path = Path.Combine(DirectoryPath, name);
        if (Libc.MkDirAt(_dir, name, Mode0777) != 0)
        {
            throw new RunfException(IoError.Message("create", path, Errno.Last));
        }
        using var shared = Libc.OpenAt(_dir, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        return shared.IsInvalid || Libc.FChmod(shared, Mode0777) != 0 ? throw new RunfException(IoError.Message("open", path, Errno.Last)) : path;
    }

    /// <summary>Removes code/ and all it holds (what a failed install left).</summary>
    public void RemoveCode() => RemoveTree(_dir, Code);

    public void Dispose()
    {
        RemoveTree(_state, _name);
        _dir.Dispose();
        _state.Dispose();
    }

    /// <summary>
    /// Removes the directories of this prefix that agents killed (SIGKILL) left, at an agent's
    /// start: those whose lock is free (their agent is gone).
    /// </summary>
    public static void SweepStale(string prefix = Prefix)
    {
        var (state, _) = OpenState();
        using (state)
        {
            var entries = new List<(string Name, byte Type)>();
            if (DirectoryEntries.Read(state, entries) != 0)
            {
                return;
            }
            foreach (var (name, _) in entries.Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                using var dir = Libc.OpenAt(state, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
                // A young one may be an agent's that has made it and not locked it yet.
                if (!dir.IsInvalid && Libc.FStat(dir) is { } status && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 - status.MtimeNs > SweepGraceNs
                    && Libc.Flock(dir, Libc.LOCK_EX | Libc.LOCK_NB) == 0)
                {
                    RemoveTree(state, name);
                }
            }
        }
    }

    private static (SafeFd State, string Path) OpenState()
    {
        var path = StateDirectory.ForCurrentUser().Path;
        var state = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        return state.IsInvalid ? throw new RunfException(IoError.Message("open the state directory", path, Errno.Last)) : (state, path);
    }

    /// <summary>
    /// Removes name in parent and, for a directory, everything in it, without following a symlink:
    /// each directory is opened with O_NOFOLLOW and emptied through its descriptor. Best effort:
    /// what cannot be removed stays (and is removed by a later sweep).
    /// </summary>
    private static void RemoveTree(SafeFd parent, string name)
    {
        if (Libc.UnlinkAt(parent, name, 0) == 0 || Errno.Last is not (Errno.EISDIR or Errno.EPERM))
        {
            return;
        }
        using (var dir = Libc.OpenAt(parent, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC))
        {
            if (dir.IsInvalid)
            {
                return;
            }
            var entries = new List<(string Name, byte Type)>();
            DirectoryEntries.Read(dir, entries);
            foreach (var (child, _) in entries)
            {
                RemoveTree(dir, child);
            }
        }
        Libc.UnlinkAt(parent, name, Libc.AT_REMOVEDIR);
    }
}
