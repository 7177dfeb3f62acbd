using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Oci;

/// <summary>
/// A config's mount → steps: its mount point made beneath the root (every missing directory on
/// the way, as runc's mkdirall), the mount, then what a bind takes afterwards (read-only and the
/// other attributes, through mount_setattr) and its propagation.
/// </summary>
public static class OciMounts
{
    private const string HostCgroups = "/sys/fs/cgroup";

    /// <param name="fallBackToSysBind">
    /// In a user namespace without a network namespace of its own a fresh sysfs cannot be
    /// mounted: the host's /sys is bound instead (read-only as asked), as runc does.
    /// </param>
    public static void Add(List<SetupOp> ops, OciMount mount, string where, string bundle, string rootfs, IHostProbe host, bool fallBackToSysBind)
    {
        var dest = OciPlanBuilder.ContainerPath(mount.Destination is { Length: > 0 } d ? d : throw OciPlanBuilder.Invalid(where + ".destination", "is missing"), where + ".destination");
        if (dest == "/")
        {
            throw OciPlanBuilder.Invalid(where + ".destination", "is / : the root is root.path");
        }
        var options = OciMountOptions.Parse(mount.Options, where + ".options");
        var type = mount.Type is { Length: > 0 } t ? t : options.Bind ? "bind" : throw OciPlanBuilder.Invalid(where + ".type", "is missing (bind, tmpfs, proc...)");
        if (type == "bind" || options.Bind)
        {
            var source = mount.Source is { Length: > 0 } s ? (Path.IsPathRooted(s) ? s : Path.Combine(bundle, s)) : throw OciPlanBuilder.Invalid(where + ".source", "is missing for a bind mount");
            var status = Libc.Stat(source) ?? throw OciPlanBuilder.Invalid(where + ".source", $"{source} does not exist");
            AddBind(ops, source, dest, status.Type == Libc.S_IFDIR, options.Recursive, options);
            return;
        }
        switch (type)
        {
            case "cgroup":
            case "cgroup2":
                // runf mounts no cgroup filesystems of its own: the host's hierarchies are bound, read-only if asked.
                AddBind(ops, HostCgroups, dest, isDirectory: true, recursive: true, options);
                return;
            case "sysfs" when fallBackToSysBind:
                AddBind(ops, "/sys", dest, isDirectory: true, recursive: true, options);
                return;
        }
        var copyUp = options.CopyUp && type == "tmpfs" ? CopyUp(rootfs, dest, where) : [];
        EnsurePath(ops, dest, isDirectory: true);
        var noSymlinks = type is "proc" or "sysfs" ? OpFlags.NoSymlinks : OpFlags.None;
        ops.Add(new MountOp
        {
            Description = $"mount {type} on {dest}",
            Flags = OpFlags.TargetInRoot | noSymlinks,
            Source = mount.Source is { Length: > 0 } src ? src : type,
            Target = dest,
            FsType = type,
            Data = options.Data,
            MountFlags = options.MountFlags,
        });
        ops.AddRange(copyUp);
        AddPropagation(ops, dest, options);
    }

    /// <summary>
    /// tmpcopyup: what the directory holds in the rootfs, made again in the new tmpfs: its
    /// directories, symlinks and empty files (podman's --read-only /run holds its empty
    /// .containerenv). A file with data is refused: runf's steps copy no file contents.
    /// </summary>
    private static List<SetupOp> CopyUp(string rootfs, string dest, string where)
    {
        var ops = new List<SetupOp>();
        var dir = Libc.RealPath(Path.Combine(rootfs, dest.TrimStart('/')));
        if (dir is null || !(dir + "/").StartsWith(rootfs.TrimEnd('/') + "/", StringComparison.Ordinal) || !Directory.Exists(dir))
        {
            return ops;
        }
        void Walk(string hostDir, string containerDir)
        {
            foreach (var entry in new DirectoryInfo(hostDir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var target = containerDir + "/" + entry.Name;
                var mode = (Libc.Stat(entry.FullName, Libc.AT_SYMLINK_NOFOLLOW)?.Mode ?? 0x1ed) & 0xfff;
                if (entry.LinkTarget is { } link)
                {
                    ops.Add(Ops.Symlink(target, link));
                }
                else if (entry is DirectoryInfo)
                {
                    ops.Add(Ops.EnsureDir(target) with { Mode = mode, Description = $"copy up directory {target}" });
                    Walk(entry.FullName, target);
                }
                else if (entry is FileInfo { Length: 0 } && (File.GetAttributes(entry.FullName) & FileAttributes.Device) == 0)
                {
                    ops.Add(Ops.EnsureFile(target) with { Mode = mode, Description = $"copy up empty file {target}" });
                }
                else
                {
                    throw OciPlanBuilder.Invalid(where + ".options", $"tmpcopyup: {target} in the rootfs has data, and runf copies no file contents into a tmpfs: remove it, or drop the option");
                }
                if (ops.Count > 10_000)
                {
                    throw OciPlanBuilder.Invalid(where + ".options", $"tmpcopyup: {dest} holds too much to copy up");
                }
            }
        }
        Walk(dir, dest);
        return ops;
    }

    private static void AddBind(List<SetupOp> ops, string source, string dest, bool isDirectory, bool recursive, OciMountOptions options)
    {
        EnsurePath(ops, dest, isDirectory);
        ops.Add(new MountOp
        {
            Description = $"bind {source} on {dest}",
            Flags = OpFlags.TargetInRoot,
            Source = source,
            Target = dest,
            MountFlags = MountFlags.Bind | (recursive ? MountFlags.Recursive : 0),
        });
        var (set, clear) = options.Attributes();
        if (set != 0 || clear != 0)
        {
            ops.Add(new MountAttributesOp(dest, set, clear)
            {
                Description = $"set the mount options of {dest}",
                Flags = recursive ? OpFlags.Recursive : OpFlags.None,
            });
        }
        AddPropagation(ops, dest, options);
    }

    private static void AddPropagation(List<SetupOp> ops, string dest, OciMountOptions options)
    {
        if (options.Propagation != 0)
        {
            ops.Add(new MountOp { Description = $"set the propagation of {dest}", Flags = OpFlags.TargetInRoot, Target = dest, MountFlags = (MountFlags)options.Propagation });
        }
    }

    /// <summary>Every directory on the way to path, then path itself (a directory or an empty file): each made unless it exists.</summary>
    public static void EnsurePath(List<SetupOp> ops, string path, bool isDirectory)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = "";
        for (var i = 0; i < parts.Length; i++)
        {
            at += "/" + parts[i];
            ops.Add(i < parts.Length - 1 || isDirectory ? Ops.EnsureDir(at) : Ops.EnsureFile(at));
        }
    }
}
