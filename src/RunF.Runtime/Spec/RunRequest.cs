namespace RunF.Runtime.Spec;

/// <summary>What the user asked for, as given on the command line: the input of SpecFactory.</summary>
public sealed record RunRequest
{
    public string Rootfs { get; init; } = "rootfs";
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> EnvFiles { get; init; } = [];

    /// <summary>
    /// KEY=VALUE pairs a caller passes on from its own environment (runf serve's agent, as the
    /// watchdog passes its own to the function): over the image's, under --env-file and -e.
    /// </summary>
    public IReadOnlyList<string> InheritedEnv { get; init; } = [];
    public string? Hostname { get; init; }

    /// <summary>--name: the container's id for runf ps and kill (and its default hostname); null for a random one.</summary>
    public string? Name { get; init; }

    /// <summary>--entrypoint: replaces the image's Entrypoint and Cmd ("" for none), as docker run's.</summary>
    public string? Entrypoint { get; init; }
    public string? WorkingDir { get; init; }

    /// <summary>--user USER[:GROUP]: wins over the image's User; null for the image's, else root.</summary>
    public string? User { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public IReadOnlyList<string> Ulimits { get; init; } = [];
    public IReadOnlyList<string> Binds { get; init; } = [];
    public IReadOnlyList<string> Tmpfs { get; init; } = [];
    public bool NoTmp { get; init; }
    public bool NoDns { get; init; }

    /// <summary>-t: a pseudo-terminal for the command, relayed to runf's stdin and stdout.</summary>
    public bool Tty { get; init; }

    /// <summary>-i: stdin is always passed; with -t it asks for runf's stdin to be a terminal, as docker run -it does.</summary>
    public bool Interactive { get; init; }

    /// <summary>
    /// runf-init is PID 1, forwarding signals, reaping zombies and exiting with the command's
    /// status; --no-init makes the command PID 1, which the kernel spares the signals it does not handle.
    /// </summary>
    public bool Init { get; init; } = true;
    public IReadOnlyList<string> SecurityOpts { get; init; } = [];
    public string? Memory { get; init; }
    public string? MemorySwap { get; init; }
    public long? PidsLimit { get; init; }
    public string? Cpus { get; init; }
    public long? CpuShares { get; init; }
    public long? CpuWeight { get; init; }
    public string? CgroupParent { get; init; }
    public string Cgroups { get; init; } = "auto";
    /// <summary>--seccomp: default, unconfined or a profile file.</summary>
    public string Seccomp { get; init; } = "default";

    /// <summary>--net-bind: the TCP ports the container may bind (any, none, or a list; see TcpBindPolicy).</summary>
    public string NetBind { get; init; } = "any";
}

/// <summary>What an extracted image says about how to run it (beside its rootfs).</summary>
public sealed record ImageDefaults(
    IReadOnlyList<string> Env,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    string? WorkingDir,
    string? User = null);
