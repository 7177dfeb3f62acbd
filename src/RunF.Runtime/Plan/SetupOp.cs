namespace RunF.Runtime.Plan;

/// <summary>
/// One step of the setup plan: what the launcher does, with named arguments, and the words the
/// user sees when it fails ("mount proc on /proc"). One record per kind, as bubblewrap's
/// SetupOp; PlanSerializer lays each out as native/plan.h says. Container paths are absolute
/// ("/proc"); the launcher resolves them beneath the root.
/// </summary>
public abstract record SetupOp
{
    public abstract OpKind Kind { get; }

    public required string Description { get; init; }

    public OpFlags Flags { get; init; }

    /// <summary>Lines --dry-run prints under the step (the seccomp rules); not sent to the launcher.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The container path the step creates, mounts on or changes, for messages; null for none.</summary>
    public virtual string? Path => null;
}

/// <summary>mount(2): a filesystem, a bind, or a propagation change.</summary>
public sealed record MountOp : SetupOp
{
    public override OpKind Kind => OpKind.Mount;

    /// <summary>A host path (or a path in the root with SourceInRoot), a filesystem's name, or null.</summary>
    public string? Source { get; init; }

    /// <summary>A path in the root with TargetInRoot, otherwise a host path.</summary>
    public required string Target { get; init; }

    public string? FsType { get; init; }

    /// <summary>Filesystem options ("mode=755,size=65536k").</summary>
    public string? Data { get; init; }

    public MountFlags MountFlags { get; init; }

    public override string Path => Target;
}

/// <summary>Opens the rootfs: the root beneath which every later container path is resolved.</summary>
public sealed record EnterRootOp(string Rootfs) : SetupOp
{
    public override OpKind Kind => OpKind.EnterRoot;
}

/// <summary>A mount point: a directory made unless it exists.</summary>
public sealed record EnsureDirOp(string Target, uint Mode) : SetupOp
{
    public override OpKind Kind => OpKind.EnsureDir;

    public override string Path => Target;
}

/// <summary>A mount point: an empty file made unless it exists.</summary>
public sealed record EnsureFileOp(string Target, uint Mode) : SetupOp
{
    public override OpKind Kind => OpKind.EnsureFile;

    public override string Path => Target;
}

/// <summary>A symlink at Target whose content is LinkTo.</summary>
public sealed record SymlinkOp(string Target, string LinkTo) : SetupOp
{
    public override OpKind Kind => OpKind.Symlink;

    public override string Path => Target;
}

/// <summary>mount_setattr(2) on a mount point: MOUNT_ATTR_* flags set and cleared (Recursive: every submount too).</summary>
public sealed record MountAttributesOp(string Target, ulong Set, ulong Clear) : SetupOp
{
    public override OpKind Kind => OpKind.MountAttributes;

    public override string Path => Target;
}

/// <summary>pivot_root(".", ".") in the root, then the old root detached.</summary>
public sealed record PivotRootOp : SetupOp
{
    public override OpKind Kind => OpKind.PivotRoot;
}

public sealed record HostnameOp(string Hostname) : SetupOp
{
    public override OpKind Kind => OpKind.Hostname;
}

/// <summary>setrlimit(2): Resource is the kernel's number (RLIMIT_NOFILE is 7).</summary>
public sealed record RlimitOp(int Resource, ulong Soft, ulong Hard) : SetupOp
{
    public override OpKind Kind => OpKind.Rlimit;
}

/// <summary>
/// Keeps the capabilities in KeepMask in the effective, permitted, inheritable and ambient sets,
/// and those in BoundingMask (KeepMask's superset) in the bounding set; drops every other up to
/// LastCapability.
/// </summary>
public sealed record CapabilitiesOp(ulong KeepMask, int LastCapability, ulong BoundingMask) : SetupOp
{
    public override OpKind Kind => OpKind.Capabilities;
}

/// <summary>
/// Becomes the container's user: supplementary groups, then gid, then uid (real, effective and
/// saved), keeping the permitted capabilities for the CapabilitiesOp after it.
/// </summary>
public sealed record IdentityOp(uint Uid, uint Gid, IReadOnlyList<uint> Groups) : SetupOp
{
    public override OpKind Kind => OpKind.Identity;
}

public sealed record NoNewPrivilegesOp : SetupOp
{
    public override OpKind Kind => OpKind.NoNewPrivileges;
}

public sealed record ChdirOp(string Target) : SetupOp
{
    public override OpKind Kind => OpKind.Chdir;

    public override string Path => Target;
}

/// <summary>setsid(): no controlling terminal.</summary>
public sealed record NewSessionOp : SetupOp
{
    public override OpKind Kind => OpKind.NewSession;
}

/// <summary>
/// A pseudo-terminal of the devpts whose ptmx is Ptmx (in the container) becomes the controlling
/// terminal (after NewSession) and stdin, stdout and stderr, of Rows x Columns (0 x 0: unset);
/// its master goes to runf.
/// </summary>
public sealed record TerminalOp(string Ptmx, ushort Rows, ushort Columns) : SetupOp
{
    public override OpKind Kind => OpKind.Terminal;

    public override string Path => Ptmx;
}

/// <summary>Marks every descriptor above 2 close-on-exec; FallbackLimit bounds the loop where close_range is missing.</summary>
public sealed record CloseFdsOp(ulong FallbackLimit) : SetupOp
{
    public override OpKind Kind => OpKind.CloseFds;
}

/// <summary>A Landlock domain: network access handled (LANDLOCK_ACCESS_NET_*), scopes (LANDLOCK_SCOPE_*), TCP ports still bindable.</summary>
public sealed record LandlockOp(ulong HandledNetwork, ulong Scopes, IReadOnlyList<ushort> BindablePorts) : SetupOp
{
    public override OpKind Kind => OpKind.Landlock;
}

/// <summary>A classic BPF program (struct sock_filter[], 8 bytes an instruction).</summary>
public sealed record SeccompOp(byte[] Program) : SetupOp
{
    public override OpKind Kind => OpKind.Seccomp;
}

/// <summary>A pre-warmed container waits here for its invocation's stdio and command.</summary>
public sealed record AwaitOp : SetupOp
{
    public override OpKind Kind => OpKind.Await;
}

/// <summary>The OCI exec fifo (a host path), opened read-write before the pivot for WaitGateOp.</summary>
public sealed record OpenGateOp(string Fifo) : SetupOp
{
    public override OpKind Kind => OpKind.OpenGate;
}

/// <summary>`runf create` stops here, reporting ready, until `runf start` writes into the gate.</summary>
public sealed record WaitGateOp : SetupOp
{
    public override OpKind Kind => OpKind.WaitGate;
}

/// <summary>An OCI config's five capability sets as masks, each as given; every other capability up to LastCapability leaves the bounding set.</summary>
public sealed record CapabilitySetsOp(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient, int LastCapability) : SetupOp
{
    public override OpKind Kind => OpKind.CapabilitySets;
}

/// <summary>setns(2) into the namespace file NamespacePath (a host path), or with none unshare(2) of Type (a CLONE_NEW* flag).</summary>
public sealed record NamespaceOp(ulong Type, string? NamespacePath) : SetupOp
{
    public override OpKind Kind => OpKind.Namespace;
}

/// <summary>Writes Content into an existing file at Target in the root (a sysctl under /proc/sys).</summary>
public sealed record WriteFileOp(string Target, string Content) : SetupOp
{
    public override OpKind Kind => OpKind.WriteFile;

    public override string Path => Target;
}

/// <summary>execve(2) of the first candidate path that exists, as execvp searches PATH.</summary>
public sealed record ExecOp(IReadOnlyList<string> Args, IReadOnlyList<string> Env, IReadOnlyList<string> Candidates) : SetupOp
{
    public override OpKind Kind => OpKind.Exec;
}

/// <summary>The whole plan: clone flags, the id maps the parent writes, and the ordered steps, ending with Exec.</summary>
public sealed record SetupPlan(ulong CloneFlags, IdMaps Ids, IReadOnlyList<SetupOp> Ops)
{
    /// <summary>No parent-death signal: an OCI container outlives the runf that created it.</summary>
    public bool Detached { get; init; }
}

/// <summary>Ids Inside to Inside + Count - 1 in the container are Host to Host + Count - 1 outside.</summary>
public sealed record IdRange(uint Inside, uint Host, uint Count)
{
    public bool Contains(uint inside) => inside >= Inside && inside - Inside < Count;

    public override string ToString() => $"{Inside} {Host} {Count}";
}

/// <summary>shadow's setuid helpers (Debian's uidmap), which write maps of subordinate ids.</summary>
public sealed record IdMapTools(string NewUidMap, string NewGidMap);

/// <summary>
/// The user namespace's maps, written by the parent before the child goes on. The caller's own
/// ids alone (RootAs) it writes itself, setgroups denied first, as an unprivileged parent may
/// map nothing else; subordinate ids (a user other than root) are written by Tools, which leave
/// setgroups allowed.
/// </summary>
public sealed record IdMaps(IReadOnlyList<IdRange> Uids, IReadOnlyList<IdRange> Gids, IdMapTools? Tools = null)
{
    /// <summary>
    /// Written without denying setgroups first: root writes an OCI config's maps itself, and the
    /// container may still set its supplementary groups.
    /// </summary>
    public bool AllowSetgroups { get; init; }

    /// <summary>The caller's uid and gid as root inside: a function container's identity.</summary>
    public static IdMaps RootAs(uint hostUid, uint hostGid) => new([new(0, hostUid, 1)], [new(0, hostGid, 1)]);

    /// <summary>The uid_map file's text: one "inside host count" line per range.</summary>
    public string UidMap => Lines(Uids);

    public string GidMap => Lines(Gids);

    private static string Lines(IReadOnlyList<IdRange> ranges)
    {
        // A loop, not LINQ: RootAs's maps are written on every start.
        var text = "";
        foreach (var range in ranges)
        {
            text += range + "\n";
        }
        return text;
    }
}
