using RunF.Runtime.Errors;
using RunF.Runtime.IO;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Identity;

/// <summary>
/// Resolves a UserSpec against the rootfs's /etc/passwd and /etc/group as runc and Docker do: a
/// name must be there; a number need not be (a uid with no entry gets gid 0 and HOME /); with a
/// user and no group, the user's primary gid and the groups that list the user's name. The
/// supplementary groups start with the gid itself, as Docker sets them since CVE-2022-36109 (so
/// that dropping it cannot get past a file's group-deny bits).
/// </summary>
public static class RootfsAccounts
{
    public const string PasswdPath = "/etc/passwd";
    public const string GroupPath = "/etc/group";

    /// <summary>Reads the account files beneath the rootfs (never outside it) and resolves spec.</summary>
    public static ContainerUser Resolve(UserSpec spec, string rootfs)
    {
        var passwd = RootfsFiles.ReadInRoot(rootfs, PasswdPath);
        // /etc/group is needed for a group name, and for the groups of a user found by name or uid.
        var group = spec.Group is null || !UserSpec.IsNumber(spec.Group) ? RootfsFiles.ReadInRoot(rootfs, GroupPath) : null;
        return Resolve(spec, passwd, group, rootfs);
    }

    /// <summary>The same on the files' text (null: no such file); rootfs only names them in messages.</summary>
    public static ContainerUser Resolve(UserSpec spec, string? passwd, string? group, string rootfs)
    {
        var entry = FindUser(passwd, spec);
        if (entry is null && UserSpec.Number(spec.User) is null)
        {
            throw new RunfException(passwd is null
                ? $"{spec.Origin} \"{spec}\": rootfs {rootfs} has no {PasswdPath} to find user \"{spec.User}\" in: give a uid instead (--user 1000:1000)"
                : $"{spec.Origin} \"{spec}\": no user \"{spec.User}\" in {rootfs.TrimEnd('/')}{PasswdPath}: add it to the image, or give a uid (--user 1000:1000)");
        }
        var uid = entry?.Uid ?? UserSpec.Number(spec.User)!.Value;
        var gid = entry?.Gid ?? 0;
        var groups = new List<uint>();
        if (spec.Group is { } groupName)
        {
            gid = UserSpec.Number(groupName) ?? FindGroup(group, groupName)?.Gid ?? throw new RunfException(group is null
                ? $"{spec.Origin} \"{spec}\": rootfs {rootfs} has no {GroupPath} to find group \"{groupName}\" in: give a gid instead (--user {spec.User}:1000)"
                : $"{spec.Origin} \"{spec}\": no group \"{groupName}\" in {rootfs.TrimEnd('/')}{GroupPath}: add it to the image, or give a gid (--user {spec.User}:1000)");
            groups.Add(gid);
        }
        else
        {
            groups.Add(gid);
            if (entry is not null)
            {
                foreach (var line in Lines(group))
                {
                    if (line.Length >= 4 && UserSpec.Number(line[2]) is { } member && line[3].Split(',').Contains(entry.Name) && !groups.Contains(member))
                    {
                        groups.Add(member);
                    }
                }
            }
        }
        return new ContainerUser(uid, gid, groups, entry?.Home is { Length: > 0 } home ? home : "/");
    }

    private sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);

    /// <summary>The first entry that matches, as getpwnam: by uid when the user is a number, else by name.</summary>
    private static PasswdEntry? FindUser(string? passwd, UserSpec spec)
    {
        var uid = UserSpec.Number(spec.User);
        foreach (var line in Lines(passwd))
        {
            if (line.Length >= 4 && UserSpec.Number(line[2]) is { } lineUid && UserSpec.Number(line[3]) is { } lineGid
                && (uid is { } wanted ? lineUid == wanted : line[0] == spec.User))
            {
                return new PasswdEntry(line[0], lineUid, lineGid, line.Length > 5 ? line[5] : "");
            }
        }
        return null;
    }

    private static (string Name, uint Gid)? FindGroup(string? group, string name)
    {
        foreach (var line in Lines(group))
        {
            if (line.Length >= 3 && line[0] == name && UserSpec.Number(line[2]) is { } gid)
            {
                return (name, gid);
            }
        }
        return null;
    }

    /// <summary>The colon-separated fields of each entry; comments and NIS "+"/"-" lines are not entries.</summary>
    private static IEnumerable<string[]> Lines(string? file) =>
        (file ?? "").Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && l[0] is not ('#' or '+' or '-')).Select(l => l.Split(':'));
}
