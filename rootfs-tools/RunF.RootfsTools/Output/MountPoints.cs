using RunF.Interop;
using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Output;

/// <summary>
/// The mount points the runtime needs, created empty when the image lacks them (as Docker's
/// init layer does), so that a read-only rootfs can be used untouched. Anything already there,
/// symlinks included, is left as the image made it. A missing tmp is 0755, not 1777: it is only
/// where runf mounts a tmpfs (mode 1777), and a world-writable directory of the rootfs would be
/// one on the host too.
/// </summary>
internal static class MountPoints
{
    private static readonly (string Path, bool IsDir, uint Mode)[] Points =
    [
        ("proc", true, Mode.Perm0555),
        ("sys", true, Mode.Perm0555),
        ("dev", true, Mode.Perm0755),
        ("tmp", true, Mode.Perm0755),
        ("etc", true, Mode.Perm0755),
        ("etc/resolv.conf", false, Mode.Perm0644),
        ("etc/hosts", false, Mode.Perm0644),
    ];

    public static int Ensure(RootDir root)
    {
        int created = 0;
        foreach (var (path, isDir, mode) in Points)
        {
            var (parent, name) = EntryPath.Split(path);
            SafeFd? dir;
            try
            {
                dir = root.Dir(parent, create: false);
            }
            catch (RootfsException)
            {
                // The parent is a symlink or not a directory (e.g. /etc -> somewhere): the
                // image's own arrangement, which the runtime has to cope with.
                continue;
            }
            if (dir is null || RootDir.Exists(dir, name))
            {
                continue;
            }
            if (isDir)
            {
                CheckIo.Check(Libc.MkDirAt(dir, name, Mode.Perm0700), "create mount point", path);
                if (!root.SetDirMetadata(path, mode, DateTimeOffset.UtcNow))
                {
                    throw new RootfsException($"mount point {path} vanished while it was created");
                }
            }
            else
            {
                root.CreateFile(dir, name, path, mode).Dispose();
            }
            created++;
        }
        return created;
    }
}
