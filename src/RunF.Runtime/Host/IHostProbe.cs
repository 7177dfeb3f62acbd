namespace RunF.Runtime.Host;

public enum PathKind
{
    Missing,
    File,
    Directory,
}

/// <summary>
/// The facts about the executor that the plan depends on. The container runs on the same
/// kernel, so the host's /proc and /sys say which masked paths exist inside.
/// </summary>
public interface IHostProbe
{
    PathKind KindOf(string hostPath);

    /// <summary>What path is in the rootfs, resolved as the container will (symlinks stay beneath the root).</summary>
    PathKind KindInRoot(string rootfs, string path);

    /// <summary>The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    int LastCapability { get; }

    /// <summary>This process's RLIMIT_NOFILE soft limit: the fds a child may inherit.</summary>
    ulong FdLimit { get; }

    /// <summary>This process's hard limit of a resource: a container cannot be given more (RLIM_INFINITY is ulong.MaxValue).</summary>
    ulong HardLimit(int resource);

    /// <summary>The kernel's Landlock ABI version as this process may use it; 0 when there is none (or seccomp hides it).</summary>
    int LandlockAbi { get; }

    /// <summary>Whether this process runs under a seccomp filter (an outer container's).</summary>
    bool UnderSeccompFilter { get; }

    /// <summary>Whether this process holds capability number cap in its effective set.</summary>
    bool HasCapability(int cap);
}
