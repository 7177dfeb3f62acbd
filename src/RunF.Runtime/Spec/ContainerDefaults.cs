namespace RunF.Runtime.Spec;

/// <summary>The fixed parts of every function container, as runc's default spec has them.</summary>
public static class ContainerDefaults
{
    public const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Hidden from the container: files get /dev/null, directories an empty tmpfs.</summary>
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
    ];

    /// <summary>Visible but read-only: writing them would reach the host kernel.</summary>
    public static readonly IReadOnlyList<string> ReadOnlyPaths =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>Device nodes bound from the host: mknod is impossible in a user namespace.</summary>
    public static readonly IReadOnlyList<string> Devices = ["null", "zero", "full", "random", "urandom", "tty"];

    /// <summary>/dev symlinks: (link name, target).</summary>
    public static readonly IReadOnlyList<(string Name, string Target)> DeviceLinks =
    [
        ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"),
    ];

    /// <summary>Files of the executor bound read-only so the function resolves names as it does.</summary>
    public static readonly IReadOnlyList<string> DnsFiles = ["/etc/resolv.conf", "/etc/hosts"];

    public const long TmpSizeBytes = 64L << 20;
    public const long ShmSizeBytes = 64L << 20;
}
