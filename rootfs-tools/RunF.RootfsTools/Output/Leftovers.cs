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
        int parentFd = Native.OpenAt(Native.AtFdCwd, parent, Native.ORdOnly | Native.ODirectory | Native.OCloExec, 0);
        if (parentFd < 0)
        {
            // A parent the caller may write but not list: nothing of its own can be found there.
            Log.Debug("Not looking for leftovers in {Parent}: {Error}", parent, Native.ErrorText(Native.Errno));
            return;
        }
        using var parentHandle = new SafeFd(parentFd);
        uint uid = Native.GetEuid();
        foreach (var (name, _) in DirListing.Read(parentFd, parent))
        {
            if (WorkDir.IsWorkDirName(name))
            {
                TryRemove(parentFd, Path.Combine(parent, name), name, uid);
            }
        }
    }

    private static void TryRemove(int parentFd, string path, string name, uint uid)
    {
        // O_NOFOLLOW: a symlink named like a work directory is not one, wherever it points.
        int dirFd = Native.OpenAt(parentFd, name, Native.ORdOnly | Native.ODirectory | Native.ONoFollow | Native.OCloExec, 0);
        if (dirFd < 0)
        {
            return;
        }
        using var dir = new SafeFd(dirFd);
        // The owner of what was opened, not of what the name showed a moment before.
        if (Native.FStat(dirFd) is not { } status || status.Uid != uid)
        {
            return;
        }
        int lockFd = Native.OpenAt(dirFd, WorkDir.LockName, Native.ORdOnly | Native.ONoFollow | Native.ONonBlock | Native.OCloExec, 0);
        if (lockFd < 0)
        {
            // Killed between creating the directory and its lock: rmdir removes it only if it is
            // empty; anything else without a lock is not known to be a leftover.
            if (Native.Errno == Native.ENoEnt && Native.UnlinkAt(parentFd, name, Native.AtRemoveDir) == 0)
            {
                Log.Debug("Removed {Leftover}, an empty leftover of a killed extraction", path);
            }
            return;
        }
        using var lockFile = new SafeFd(lockFd);
        if (Native.FStat(lockFd) is not { } lockStatus || (lockStatus.Mode & Native.SIfMt) != Native.SIfReg
            || Native.Flock(lockFd, Native.LockEx | Native.LockNb) != 0)
        {
            return;
        }
        // The lock is held until the directory is gone, so no other sweep starts on it meanwhile.
        try
        {
            RootDir.RemoveOpened(parentFd, name, dirFd, path);
            Log.Debug("Removed {Leftover}, left by a killed extraction", path);
        }
        catch (RootfsException e)
        {
            // Housekeeping for earlier runs must not fail this one.
            Log.Warning("cannot remove {Leftover}, left by a killed extraction: {Error}", path, e.Message);
        }
    }
}
