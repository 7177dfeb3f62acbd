using RunF.Interop;
using RunF.Runtime.IO;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Identity;

/// <summary>
/// Who the command runs as and the id maps that make it possible. Without --user or an image
/// User (or with root), the caller's ids are root inside and nothing is read. Another user needs
/// more ids than the caller's own: the caller's subordinate ranges, mapped by newuidmap and
/// newgidmap, as rootless podman maps them.
/// </summary>
public sealed record ContainerIdentity(IdMaps Ids, ContainerUser? User)
{
    /// <summary>--user wins over the image's User. Resolved once per container factory.</summary>
    public static ContainerIdentity Resolve(string? requested, string? imageUser, string rootfs)
    {
        var uid = Libc.GetEuid();
        var gid = Libc.GetEgid();
        var spec = requested is not null ? UserSpec.Parse(requested, "--user")
            : !string.IsNullOrEmpty(imageUser) ? UserSpec.Parse(imageUser, "the image's User")
            : null;
        if (spec is null || spec.IsRoot)
        {
            return new(IdMaps.RootAs(uid, gid), null);
        }
        var user = RootfsAccounts.Resolve(spec, rootfs);
        if (user is { Uid: 0, Gid: 0 })
        {
            return new(IdMaps.RootAs(uid, gid), null);
        }
        var name = Libc.UserOf(uid)?.Name;
        var (uids, gids) = (ReadHostFile(SubordinateIds.UidFile), ReadHostFile(SubordinateIds.GidFile));
        var maps = SubordinateMaps.For(spec, user, new Caller(uid, gid, name), IdMapToolFinder.Find(),
            SubordinateIds.Find(uids, name, uid), SubordinateIds.Find(gids, name, uid), SubordinateIds.FreeRange(uids, gids));
        return new(maps, user);
    }

    private static string? ReadHostFile(string path) => SmallFiles.Read(path) is { } bytes ? PosixString.Decode(bytes) : null;
}

/// <summary>The user runf runs as on the executor: its ids, and its name when it has a passwd entry.</summary>
public sealed record Caller(uint Uid, uint Gid, string? Name);
