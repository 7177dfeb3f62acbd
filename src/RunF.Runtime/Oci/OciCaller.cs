using RunF.Interop;
using RunF.Runtime.Identity;
using RunF.Runtime.IO;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Oci;

/// <summary>
/// Who runs runf, as far as a config's translation depends on it: root of the host (who may write
/// any id map and use any cgroup), or a user (in podman's rootless user namespace, root of that one),
/// and the setuid helpers that map an unprivileged user's subordinate ids.
/// </summary>
public sealed record OciCaller(uint Uid, uint Gid, bool InitialUserNamespace, IdMapTools? Tools)
{
    /// <summary>Root of the host: no user namespace is needed, and maps are written directly.</summary>
    public bool IsHostRoot => Uid == 0 && InitialUserNamespace;

    public static OciCaller Current() =>
        new(Libc.GetEuid(), Libc.GetEgid(), IsInitialUserNamespace(SmallFiles.ReadText("/proc/self/uid_map")), IdMapToolFinder.Find());

    /// <summary>The initial user namespace maps every id to itself: "0 0 4294967295".</summary>
    internal static bool IsInitialUserNamespace(string? uidMap) =>
        uidMap?.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries) is ["0", "0", "4294967295"];
}
