namespace RunF.Runtime.Spec;

/// <summary>Linux capability names and numbers (linux/capability.h).</summary>
public static class Capabilities
{
    private static readonly string[] Names =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
    ];

    /// <summary>What a function gets, as the Go runf had it.</summary>
    public static readonly IReadOnlyList<int> Default = [Parse("AUDIT_WRITE"), Parse("KILL"), Parse("NET_BIND_SERVICE")];

    public static int LastKnown => Names.Length - 1;

    public static string NameOf(int cap) => cap >= 0 && cap < Names.Length ? "CAP_" + Names[cap] : $"CAP_{cap}";

    /// <summary>Parses "NET_ADMIN", "CAP_NET_ADMIN" or "net_admin"; -1 for "ALL".</summary>
    public static int Parse(string name) => TryParse(name, out var cap)
        ? cap
        : throw new Errors.RunfException($"unknown capability \"{name}\" (use names like NET_ADMIN or CAP_NET_ADMIN)");

    /// <summary>As Parse, false for a name runf does not know.</summary>
    public static bool TryParse(string name, out int cap)
    {
        var bare = name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name[4..] : name;
        cap = bare.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? -1 : Array.FindIndex(Names, n => n.Equals(bare, StringComparison.OrdinalIgnoreCase));
        return cap >= 0 || bare.Equals("ALL", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The capabilities named in --cap-add (ALL: every one) that resolved keeps: what a user other than root holds.</summary>
    public static IReadOnlyList<int> Added(IEnumerable<string> add, IReadOnlyList<int> resolved)
    {
        var added = new SortedSet<int>();
        foreach (var name in add)
        {
            var cap = Parse(name);
            added.UnionWith(cap < 0 ? Enumerable.Range(0, Names.Length) : [cap]);
        }
        added.IntersectWith(resolved);
        return [.. added];
    }

    /// <summary>Applies --cap-add and --cap-drop to the default set, as docker run does.</summary>
    public static IReadOnlyList<int> Resolve(IEnumerable<string> add, IEnumerable<string> drop)
    {
        var set = new SortedSet<int>(Default);
        foreach (var name in drop)
        {
            var cap = Parse(name);
            if (cap < 0)
            {
                set.Clear();
            }
            else
            {
                set.Remove(cap);
            }
        }
        foreach (var name in add)
        {
            var cap = Parse(name);
            if (cap < 0)
            {
                set.UnionWith(Enumerable.Range(0, Names.Length));
            }
            else
            {
                set.Add(cap);
            }
        }
        return [.. set];
    }
}
