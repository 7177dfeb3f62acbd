namespace RunF.Runtime.Plan;

/// <summary>
/// Constructors for each kind of step, so the plan builder reads as a list of intentions.
/// Container paths are absolute ("/proc"); the launcher resolves them beneath the root.
/// </summary>
public static class Ops
{
    /// <summary>MOUNT_ATTR_RDONLY of mount_setattr(2).</summary>
    private const ulong MountAttrReadOnly = 1;

    public static SetupOp MakeRootPrivate() =>
        new(OpKind.Mount, "make all mounts private")
        {
            Strings = [null, "/", null, null],
            Numbers = [(ulong)(MountFlags.Recursive | MountFlags.Private)],
        };

    /// <summary>Binds a host directory onto itself: pivot_root needs a mount point.</summary>
    public static SetupOp BindRootfs(string rootfs) =>
        new(OpKind.Mount, $"bind rootfs {rootfs}")
        {
            Strings = [rootfs, rootfs, null, null],
            Numbers = [(ulong)(MountFlags.Bind | MountFlags.Recursive)],
        };

    public static SetupOp EnterRoot(string rootfs) =>
        new(OpKind.EnterRoot, $"open rootfs {rootfs}") { Strings = [rootfs] };

    public static SetupOp EnsureDir(string path, OpFlags flags = OpFlags.None) =>
        new(OpKind.EnsureDir, $"create mount point {path}")
        {
            Flags = flags,
            Strings = [ParentOf(path), NameOf(path)],
            Numbers = [0755],
        };

    public static SetupOp EnsureFile(string path, OpFlags flags = OpFlags.None) =>
        new(OpKind.EnsureFile, $"create mount point {path}")
        {
            Flags = flags,
            Strings = [ParentOf(path), NameOf(path)],
            Numbers = [0644],
        };

    public static SetupOp Symlink(string path, string target) =>
        new(OpKind.Symlink, $"symlink {path} -> {target}") { Strings = [target, ParentOf(path), NameOf(path)] };

    /// <summary>Mounts a new filesystem of type fsType on a path in the container.</summary>
    public static SetupOp MountFs(string fsType, string path, MountFlags flags, string? data = null, OpFlags opFlags = OpFlags.None) =>
        new(OpKind.Mount, $"mount {fsType} on {path}")
        {
            Flags = OpFlags.TargetInRoot | opFlags,
            Strings = [fsType, path, fsType, data],
            Numbers = [(ulong)flags],
        };

    /// <summary>Binds a host path (outside the rootfs, trusted) onto a path in the container.</summary>
    public static SetupOp BindFromHost(string hostPath, string path, OpFlags opFlags = OpFlags.None) =>
        new(OpKind.Mount, $"bind {hostPath} on {path}")
        {
            Flags = OpFlags.TargetInRoot | opFlags,
            Strings = [hostPath, path, null, null],
            Numbers = [(ulong)(MountFlags.Bind | MountFlags.Recursive)],
        };

    /// <summary>Binds a container path onto itself so it can be made read-only on its own.</summary>
    public static SetupOp BindSelf(string path, OpFlags opFlags = OpFlags.None) =>
        new(OpKind.Mount, $"bind {path} onto itself")
        {
            Flags = OpFlags.SourceInRoot | OpFlags.TargetInRoot | opFlags,
            Strings = [path, path, null, null],
            Numbers = [(ulong)(MountFlags.Bind | MountFlags.Recursive)],
        };

    /// <summary>Hides a file behind the container's /dev/null, checked to be the real device.</summary>
    public static SetupOp MaskFile(string path) =>
        new(OpKind.Mount, $"mask {path}")
        {
            Flags = OpFlags.SourceInRoot | OpFlags.SourceDevNull | OpFlags.TargetInRoot | OpFlags.Optional,
            Strings = ["/dev/null", path, null, null],
            Numbers = [(ulong)MountFlags.Bind],
        };

    /// <summary>Hides a directory behind an empty read-only tmpfs.</summary>
    public static SetupOp MaskDirectory(string path) =>
        MountFs("tmpfs", path, MountFlags.ReadOnly | MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, null, OpFlags.Optional)
        with { Description = $"mask {path}" };

    /// <summary>The rootfs and every mount beneath its directory on the host, before the container's own are stacked on it.</summary>
    public static SetupOp RootfsReadOnly() =>
        RemountReadOnly("/", OpFlags.Recursive) with { Description = "make the rootfs read-only, every submount too" };

    public static SetupOp RemountReadOnly(string path, OpFlags flags = OpFlags.None) =>
        new(OpKind.MountAttributes, $"make {path} read-only") { Flags = flags, Strings = [path], Numbers = [MountAttrReadOnly, 0] };

    /// <summary>A --bind :rw of a path beneath the rootfs directory, which the read-only rootfs made read-only along with it.</summary>
    public static SetupOp RemountWritable(string path) =>
        new(OpKind.MountAttributes, $"make {path} writable") { Strings = [path], Numbers = [0, MountAttrReadOnly] };

    public static SetupOp PivotRoot() => new(OpKind.PivotRoot, "pivot_root into the rootfs");

    public static SetupOp Hostname(string name) => new(OpKind.Hostname, $"set hostname {name}") { Strings = [name] };

    public static SetupOp SetRlimit(Spec.Rlimit limit) =>
        new(OpKind.Rlimit, $"set rlimit {Spec.Rlimits.NameOf(limit.Resource)} {limit.Soft}:{limit.Hard}")
        {
            Numbers = [(ulong)limit.Resource, limit.Soft, limit.Hard],
        };

    public static SetupOp KeepCapabilities(IReadOnlyList<int> caps, int lastCap) =>
        new(OpKind.Capabilities, $"keep capabilities {string.Join(",", caps.Select(Spec.Capabilities.NameOf))}")
        {
            Numbers = [caps.Aggregate(0UL, (mask, cap) => mask | (1UL << cap)), (ulong)lastCap],
        };

    /// <summary>
    /// Detaches from the executor's controlling terminal: a function must not push keystrokes
    /// into it (TIOCSTI), as bwrap's --new-session. Ctrl-C still reaches runf, which forwards it.
    /// </summary>
    public static SetupOp NewSession() => new(OpKind.NewSession, "start a new session");

    public static SetupOp NoNewPrivileges() => new(OpKind.NoNewPrivileges, "set no_new_privs");

    public static SetupOp Chdir(string path) => new(OpKind.Chdir, $"chdir {path}") { Strings = [path] };

    public static SetupOp CloseFds(ulong fallbackLimit) =>
        new(OpKind.CloseFds, "close inherited file descriptors") { Numbers = [fallbackLimit] };

    public static SetupOp Seccomp(byte[] program) =>
        new(OpKind.Seccomp, "install seccomp filter") { Blob = program, Numbers = [(ulong)(program.Length / 8)] };

    /// <summary>Enters a Landlock domain (LandlockConfinement): network access handled, scopes, and the TCP ports still bindable.</summary>
    public static SetupOp Landlock(ulong handledNet, ulong scoped, IReadOnlyList<ushort> bindablePorts, string description)
    {
        var ports = new byte[2 * bindablePorts.Count];
        for (var i = 0; i < bindablePorts.Count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(ports.AsSpan(2 * i), bindablePorts[i]);
        }
        return new(OpKind.Landlock, description)
        {
            Numbers = [handledNet, scoped, (ulong)bindablePorts.Count],
            Blob = ports.Length > 0 ? ports : null,
        };
    }

    /// <summary>
    /// A pre-warmed container stops here, fully set up, until a dispatch hands it its stdio and
    /// command; placed last, so a request pays for nothing but the exec.
    /// </summary>
    public static SetupOp Await() => new(OpKind.Await, "wait for the invocation's command and stdio");

    public static SetupOp Exec(IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<string> candidates) =>
        new(OpKind.Exec, $"exec \"{args[0]}\"") { Lists = [args, env, candidates] };

    /// <summary>The container path a step creates or mounts on, for messages.</summary>
    internal static string? PathOf(SetupOp op) => op.Kind switch
    {
        OpKind.EnsureDir or OpKind.EnsureFile => op.Strings[0] == "/" ? "/" + op.Strings[1] : $"{op.Strings[0]}/{op.Strings[1]}",
        OpKind.Mount => op.Strings[1],
        _ => op.Strings.Count > 0 ? op.Strings[0] : null,
    };

    internal static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    internal static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
