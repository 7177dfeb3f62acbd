namespace RunF.Runtime.Plan;

/// <summary>
/// Constructors for each kind of step, so the plan builder reads as a list of intentions.
/// Container paths are absolute ("/proc"); the launcher resolves them beneath the root.
/// </summary>
public static class Ops
{
    /// <summary>MOUNT_ATTR_RDONLY of mount_setattr(2).</summary>
    private const ulong MountAttrReadOnly = 1;

    public static MountOp MakeRootPrivate() =>
        new() { Description = "make all mounts private", Target = "/", MountFlags = MountFlags.Recursive | MountFlags.Private };

    /// <summary>Binds a host directory onto itself: pivot_root needs a mount point.</summary>
    public static MountOp BindRootfs(string rootfs) =>
        new() { Description = $"bind rootfs {rootfs}", Source = rootfs, Target = rootfs, MountFlags = MountFlags.Bind | MountFlags.Recursive };

    public static EnterRootOp EnterRoot(string rootfs) => new(rootfs) { Description = $"open rootfs {rootfs}" };

    public static EnsureDirOp EnsureDir(string path, OpFlags flags = OpFlags.None) =>
        new(path, 0x1ed) { Description = $"create mount point {path}", Flags = flags }; // 0755

    public static EnsureFileOp EnsureFile(string path, OpFlags flags = OpFlags.None) =>
        new(path, 0x1a4) { Description = $"create mount point {path}", Flags = flags }; // 0644

    public static SymlinkOp Symlink(string path, string target) => new(path, target) { Description = $"symlink {path} -> {target}" };

    /// <summary>Mounts a new filesystem of type fsType on a path in the container.</summary>
    public static MountOp MountFs(string fsType, string path, MountFlags flags, string? data = null, OpFlags opFlags = OpFlags.None) =>
        new()
        {
            Description = $"mount {fsType} on {path}",
            Flags = OpFlags.TargetInRoot | opFlags,
            Source = fsType,
            Target = path,
            FsType = fsType,
            Data = data,
            MountFlags = flags,
        };

    /// <summary>Binds a host path (outside the rootfs, trusted) onto a path in the container.</summary>
    public static MountOp BindFromHost(string hostPath, string path, OpFlags opFlags = OpFlags.None) =>
        new()
        {
            Description = $"bind {hostPath} on {path}",
            Flags = OpFlags.TargetInRoot | opFlags,
            Source = hostPath,
            Target = path,
            MountFlags = MountFlags.Bind | MountFlags.Recursive,
        };

    /// <summary>Binds a container path onto itself so it can be made read-only on its own.</summary>
    public static MountOp BindSelf(string path, OpFlags opFlags = OpFlags.None) =>
        new()
        {
            Description = $"bind {path} onto itself",
            Flags = OpFlags.SourceInRoot | OpFlags.TargetInRoot | opFlags,
            Source = path,
            Target = path,
            MountFlags = MountFlags.Bind | MountFlags.Recursive,
        };

    /// <summary>Hides a file behind the container's /dev/null, checked to be the real device.</summary>
    public static MountOp MaskFile(string path) =>
        new()
        {
            Description = $"mask {path}",
            Flags = OpFlags.SourceInRoot | OpFlags.SourceDevNull | OpFlags.TargetInRoot | OpFlags.Optional,
            Source = "/dev/null",
            Target = path,
            MountFlags = MountFlags.Bind,
        };

    /// <summary>Hides a directory behind an empty read-only tmpfs.</summary>
    public static MountOp MaskDirectory(string path) =>
        MountFs("tmpfs", path, MountFlags.ReadOnly | MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, null, OpFlags.Optional)
        with { Description = $"mask {path}" };

    /// <summary>The rootfs and every mount beneath its directory on the host, before the container's own are stacked on it.</summary>
    public static MountAttributesOp RootfsReadOnly() =>
        RemountReadOnly("/", OpFlags.Recursive) with { Description = "make the rootfs read-only, every submount too" };

    public static MountAttributesOp RemountReadOnly(string path, OpFlags flags = OpFlags.None) =>
        new(path, MountAttrReadOnly, 0) { Description = $"make {path} read-only", Flags = flags };

    /// <summary>A --bind :rw of a path beneath the rootfs directory, which the read-only rootfs made read-only along with it.</summary>
    public static MountAttributesOp RemountWritable(string path) =>
        new(path, 0, MountAttrReadOnly) { Description = $"make {path} writable" };

    public static PivotRootOp PivotRoot() => new() { Description = "pivot_root into the rootfs" };

    public static HostnameOp Hostname(string name) => new(name) { Description = $"set hostname {name}" };

    public static RlimitOp SetRlimit(Spec.Rlimit limit) =>
        new(limit.Resource, limit.Soft, limit.Hard) { Description = $"set rlimit {Spec.Rlimits.NameOf(limit.Resource)} {limit.Soft}:{limit.Hard}" };

    /// <summary>Caps in every set; a user other than root (held) keeps only held of them, caps staying its bounding set.</summary>
    public static CapabilitiesOp KeepCapabilities(IReadOnlyList<int> caps, int lastCap, IReadOnlyList<int>? held = null)
    {
        held ??= caps;
        var names = string.Join(",", held.Select(Spec.Capabilities.NameOf));
        return new(Mask(held), lastCap, Mask(caps))
        {
            Description = held.Count == caps.Count
                ? $"keep capabilities {names}"
                : $"keep capabilities {(held.Count == 0 ? "none" : names)} (bounding set {string.Join(",", caps.Select(Spec.Capabilities.NameOf))})",
        };
    }

    private static ulong Mask(IReadOnlyList<int> caps)
    {
        var mask = 0UL;
        foreach (var cap in caps)
        {
            mask |= 1UL << cap;
        }
        return mask;
    }

    /// <summary>
    /// Becomes the container's user (ContainerUser), just before the capabilities op, which then
    /// cuts the capabilities it kept down to the user's, as runc orders them.
    /// </summary>
    public static IdentityOp SwitchUser(Spec.ContainerUser user) =>
        new(user.Uid, user.Gid, user.Groups) { Description = $"become uid {user.Uid} gid {user.Gid} groups {string.Join(",", user.Groups)}" };

    /// <summary>
    /// Detaches from the executor's controlling terminal: a function must not push keystrokes
    /// into it (TIOCSTI), as bwrap's --new-session. Ctrl-C still reaches runf, which forwards it.
    /// </summary>
    public static NewSessionOp NewSession() => new() { Description = "start a new session" };

    /// <summary>
    /// runf -t: a terminal of the container's own devpts (mounted newinstance), so that what the
    /// command does to its terminal (TIOCSTI included) stays on a terminal of its own, and runf
    /// relays it to its own.
    /// </summary>
    public static TerminalOp Terminal(Spec.TerminalSize size) =>
        new("/dev/pts/ptmx", size.Rows, size.Columns) { Description = "open a terminal in /dev/pts as stdin, stdout and stderr" };

    public static NoNewPrivilegesOp NoNewPrivileges() => new() { Description = "set no_new_privs" };

    public static ChdirOp Chdir(string path) => new(path) { Description = $"chdir {path}" };

    public static CloseFdsOp CloseFds(ulong fallbackLimit) => new(fallbackLimit) { Description = "close inherited file descriptors" };

    /// <summary>Enters a Landlock domain (LandlockConfinement).</summary>
    public static LandlockOp Landlock(ulong handledNetwork, ulong scopes, IReadOnlyList<ushort> bindablePorts, string description) =>
        new(handledNetwork, scopes, bindablePorts) { Description = description };

    public static SeccompOp Seccomp(byte[] program) => new(program) { Description = "install seccomp filter" };

    /// <summary>
    /// A pre-warmed container stops here, fully set up, until a dispatch hands it its stdio and
    /// command; placed last, so a request pays for nothing but the exec.
    /// </summary>
    public static AwaitOp Await() => new() { Description = "wait for the invocation's command and stdio" };

    public static ExecOp Exec(IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<string> candidates) =>
        new(args, env, candidates) { Description = $"exec \"{args[0]}\"" };
}
