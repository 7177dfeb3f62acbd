namespace RunF.Runtime.Plan;

/// <summary>The launcher's step kinds; values mirror enum runf_op_kind in native/plan.h.</summary>
public enum OpKind : uint
{
    Mount = 1,
    EnterRoot = 2,
    EnsureDir = 3,
    EnsureFile = 4,
    Symlink = 5,
    MountAttributes = 6,
    PivotRoot = 7,
    Hostname = 8,
    Rlimit = 9,
    Capabilities = 10,
    NoNewPrivileges = 11,
    Chdir = 12,
    CloseFds = 13,
    Seccomp = 14,
    Exec = 15,
    NewSession = 16,
    Await = 17,
    Landlock = 18,
    Identity = 19,
    Terminal = 20,
    OpenGate = 21,
    WaitGate = 22,
    CapabilitySets = 23,
    Namespace = 24,
    WriteFile = 25,
}

/// <summary>Step modifiers; values mirror the RUNF_F_* flags in native/plan.h.</summary>
[Flags]
public enum OpFlags : uint
{
    None = 0,
    TargetInRoot = 1,
    SourceInRoot = 2,
    Optional = 4,
    NoSymlinks = 8,
    SourceDevNull = 16,
    Recursive = 32,
    ViaInit = 128,
}
