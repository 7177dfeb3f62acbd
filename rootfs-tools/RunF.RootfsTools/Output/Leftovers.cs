using RunF.Interop;
using RunF.RootfsTools.Safety;
using Serilog;

namespace RunF.RootfsTools.Output;

/// <summary>
/// Removes the work directories (<see cref="WorkDir"/>) that killed extractions left in a
/// parent directory, which can hold a whole image each. Only the caller's own are removed,
/// only those whose lock nobody holds (a live extraction keeps its lock, so it is never
/// touched), and only through descriptors opened without following symlinks, so nothing
/// planted in a shared parent leads the removal elsewhere.
/// </summary>
internal static class Leftovers
{
    /// <summary>Removes the dead work directories of the caller in parent.</summary>
    public static void Sweep(string parent)
    {
        using var parentFd = Libc.Open(parent, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (parentFd.IsInvalid)
        {
            // A parent the caller may write but not list: nothing of its own can be found there.
            Log.Debug("Not looking for leftovers in {Parent}: {Error}", parent, Errno.Describe(Errno.Last).ToLowerInvariant());
            return;
        }
        uint uid = Libc.GetEuid();
        foreach (var (name, _) in DirListing.Read(parentFd, parent))
        {
            if (WorkDir.IsWorkDirName(name))
            {
                TryRemove(parentFd, Path.Combine(parent, name), name, uid);
            }
        }
    }

    private static void TryRemove(SafeFd parentFd, string path, string name, uint uid)
    {
        // O_NOFOLLOW: a symlink named like a work directory is not one, wherever it points.
        using var dir = Libc.OpenAt(parentFd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        // The owner of what was opened, not of what the name showed a moment before.
        if (dir.IsInvalid || Libc.FStat(dir) is not { } status || status.Uid != uid)
        {
            return;
        }
        using var lockFile = Libc.OpenAt(dir, WorkDir.LockName, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (lockFile.IsInvalid)
        {
            // Killed between creating the directory and its lock: rmdir removes it only if it is
            // empty; anything else without a lock is not known to be a leftover.
            if (Errno.Last == Errno.ENOENT && Libc.UnlinkAt(parentFd, name, Libc.AT_REMOVEDIR) == 0)
            {
                Log.Debug("Removed {Leftover}, an empty leftover of a killed extraction", path);
            }
            return;
        }
        if (Libc.FStat(lockFile) is not { Type: Libc.S_IFREG } || Libc.Flock(lockFile, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            return;
        }
        // The lock is held until the directory is gone, so no other sweep starts on it meanwhile.
        try
        {
            RootDir.RemoveOpened(parentFd, name, dir, path);
            Log.Debug("Removed {Leftover}, left by a killed extraction", path);
        }
        catch (RootfsException e)
        {
            // Housekeeping for earlier runs must not fail this one.
            Log.Warning("cannot remove {Leftover}, left by a killed extraction: {Error}", path, e.Message);
        }
    }
}
