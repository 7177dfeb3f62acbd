namespace RunF.Runtime.Plan;

/// <summary>mount(2) flags (linux/mount.h) and their names for the printed plan.</summary>
[Flags]
public enum MountFlags : ulong
{
    None = 0,
    ReadOnly = 1,
    NoSuid = 2,
    NoDev = 4,
    NoExec = 8,
    Bind = 4096,
    Recursive = 16384,
    Private = 1 << 18,
    StrictAtime = 1 << 24,
}
