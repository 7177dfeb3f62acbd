using RunF.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.Host;

/// <summary>Reads the facts from the running system, each at most once.</summary>
public sealed class HostProbe : IHostProbe
{
    /// <summary>For callers that hold no probe of their own (the launch errors).</summary>
    public static HostProbe Shared { get; } = new();

    private int _lastCap = -1;

    public PathKind KindOf(string hostPath) => Kind(Libc.Stat(hostPath, Libc.AT_SYMLINK_NOFOLLOW)?.Mode);

    public PathKind KindInRoot(string rootfs, string path) => Kind(RootfsFiles.ModeInRoot(rootfs, path));

    private static PathKind Kind(uint? mode) => mode switch
    {
        null => PathKind.Missing,
        var m when (m & Libc.S_IFMT) == Libc.S_IFDIR => PathKind.Directory,
        _ => PathKind.File,
    };

    public int LastCapability
    {
        get
        {
            if (_lastCap < 0)
            {
                _lastCap = SmallFiles.ReadText("/proc/sys/kernel/cap_last_cap") is { } text && int.TryParse(text.Trim(), out var n)
                    ? n
                    : Spec.Capabilities.LastKnown;
            }
            return _lastCap;
        }
    }

    public ulong FdLimit => Libc.GetRlimit(Spec.Rlimits.NoFile).Soft;

    public ulong HardLimit(int resource) => Libc.GetRlimit(resource).Hard;

    public int LandlockAbi => Libc.LandlockAbiVersion();

    public bool UnderSeccompFilter => Seccomp.SeccompStatus.IsFiltered();

    public bool HasCapability(int cap) => ProcStatus.HasEffectiveCapability(cap);
}
