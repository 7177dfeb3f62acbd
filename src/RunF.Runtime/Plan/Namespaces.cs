namespace RunF.Runtime.Plan;

/// <summary>The namespaces a function container gets, and deliberately not the network one.</summary>
public static class Namespaces
{
    public const ulong NewMount = 0x00020000;
    public const ulong NewUts = 0x04000000;
    public const ulong NewIpc = 0x08000000;
    public const ulong NewUser = 0x10000000;
    public const ulong NewPid = 0x20000000;
    public const ulong NewNet = 0x40000000;

    /// <summary>(clone flag, /proc/PID/ns name) in the order the kernel creates them.</summary>
    public static readonly IReadOnlyList<(ulong Flag, string Name)> Table =
    [
        (NewUser, "user"), (NewMount, "mnt"), (NewUts, "uts"), (NewIpc, "ipc"), (NewPid, "pid"),
    ];

    /// <summary>The function shares the executor's network: no NewNet, ever.</summary>
    public static ulong CloneFlags => NewUser | NewMount | NewUts | NewIpc | NewPid;
}
