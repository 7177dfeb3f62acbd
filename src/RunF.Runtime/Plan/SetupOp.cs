namespace RunF.Runtime.Plan;

/// <summary>
/// One step of the setup plan: what the launcher does, with which arguments, and the words the
/// user sees when it fails ("mount proc on /proc"). Field meanings per kind are in native/plan.h.
/// </summary>
public sealed record SetupOp(OpKind Kind, string Description)
{
    public OpFlags Flags { get; init; }

    /// <summary>s0..s3: paths, filesystem types, mount data; null for none.</summary>
    public IReadOnlyList<string?> Strings { get; init; } = [];

    /// <summary>n0..n2: mount flags, modes, limits.</summary>
    public IReadOnlyList<ulong> Numbers { get; init; } = [];

    /// <summary>For Exec: argv, envp and the candidate paths, in that order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Lists { get; init; } = [];

    /// <summary>For Seccomp: the BPF program.</summary>
    public byte[]? Blob { get; init; }

    /// <summary>Lines --dry-run prints under the step (the seccomp rules); not sent to the launcher.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The whole plan: clone flags and the ordered steps, ending with Exec.</summary>
public sealed record SetupPlan(ulong CloneFlags, IReadOnlyList<SetupOp> Ops);
