namespace RunF.Runtime.Spec;

/// <summary>
/// Everything that defines one function container, validated and with defaults applied. The
/// setup plan is derived from it; nothing here touches the kernel.
/// </summary>
public sealed record ContainerSpec
{
    /// <summary>Absolute, symlink-free host path of the root filesystem.</summary>
    public required string Rootfs { get; init; }

    /// <summary>The command and its arguments; Args[0] is looked up in the container's PATH.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>KEY=VALUE pairs, in order, without duplicate keys.</summary>
    public required IReadOnlyList<string> Env { get; init; }

    public required string Hostname { get; init; }

    /// <summary>Absolute path inside the container.</summary>
    public string WorkingDir { get; init; } = "/";

    /// <summary>Capability numbers kept in every set; all others are dropped.</summary>
    public required IReadOnlyList<int> Capabilities { get; init; }

    public required IReadOnlyList<Rlimit> Rlimits { get; init; }

    /// <summary>Bind the executor's /etc/resolv.conf and /etc/hosts (read-only) over the rootfs's.</summary>
    public bool ShareDns { get; init; } = true;

    /// <summary>PID 1 is runf-init, which runs the command, forwards signals to it and reaps orphans.</summary>
    public bool Init { get; init; }

    /// <summary>
    /// Mask and write-protect /proc and /sys paths. Off (systempaths=unconfined) only for an
    /// executor that runs runf inside: a nested proc mount needs a fully visible /proc.
    /// </summary>
    public bool ProtectSystemPaths { get; init; } = true;

    /// <summary>
    /// runf -t: a pseudo-terminal of the container's own as stdin, stdout and stderr, starting at
    /// this size (OCI's process.terminal and consoleSize); null for none.
    /// </summary>
    public TerminalSize? Terminal { get; init; }

    /// <summary>Extra mounts in the order given: binds and tmpfs.</summary>
    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];

    /// <summary>The user namespace's id maps: the executor's uid and gid as root inside, and its subordinate ids for a User.</summary>
    public required Plan.IdMaps Ids { get; init; }

    /// <summary>The user the command runs as; null for the caller's ids as root.</summary>
    public ContainerUser? User { get; init; }

    /// <summary>
    /// What a User other than root keeps of Capabilities: as with Docker, none but those given with
    /// --cap-add; Capabilities stays its bounding set. Null for root, which keeps them all.
    /// </summary>
    public IReadOnlyList<int>? UserCapabilities { get; init; }

    /// <summary>The TCP ports the container may bind, enforced with Landlock where the kernel has it.</summary>
    public TcpBindPolicy TcpBind { get; init; } = TcpBindPolicy.Any;

    /// <summary>A compiled seccomp filter (struct sock_filter[]), or null for none.</summary>
    public byte[]? SeccompFilter { get; init; }

    /// <summary>The filter's rules, readable, for --dry-run.</summary>
    public IReadOnlyList<string> SeccompRules { get; init; } = [];
}

/// <summary>A filesystem mounted into the container after the defaults.</summary>
public abstract record MountSpec(string Destination);

/// <summary>A host path bound at Destination; read-only unless Writable.</summary>
public sealed record BindMountSpec(string Source, string Destination, bool Writable, bool SourceIsDirectory)
    : MountSpec(Destination);

/// <summary>A writable tmpfs of SizeBytes at Destination.</summary>
public sealed record TmpfsMountSpec(string Destination, long SizeBytes) : MountSpec(Destination);

/// <summary>A resource limit (setrlimit's resource number) with soft and hard values.</summary>
public sealed record Rlimit(int Resource, ulong Soft, ulong Hard);
