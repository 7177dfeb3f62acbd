namespace RunF.Interop;

/// <summary>Landlock: only the ABI probe; the rules are made by the child (native/landlock.c).</summary>
public static partial class Libc
{
    private const long LANDLOCK_CREATE_RULESET_VERSION = 1;

    /// <summary>The Landlock ABI version, or 0 when the kernel lacks it, it is disabled, or a seccomp filter denies it.</summary>
    public static int LandlockAbiVersion() => Math.Max(0, (int)Syscall(SYS_landlock_create_ruleset, 0, 0, LANDLOCK_CREATE_RULESET_VERSION, 0));
}
