using RunF.Runtime.Errors;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Identity;

/// <summary>
/// The maps for a user other than root, as rootless podman makes them: the caller's own id is 0
/// inside, its subordinate range is 1 and up. Whatever is missing for that is one line naming it
/// and the fix, never a silent fallback to root.
/// </summary>
public static class SubordinateMaps
{
    /// <summary>freeRange: ids no one holds yet (SubordinateIds.FreeRange), for the usermod the fix names.</summary>
    public static IdMaps For(UserSpec spec, ContainerUser user, Caller caller, IdMapTools? tools, (uint Start, uint Count)? subUids, (uint Start, uint Count)? subGids,
        string freeRange = "100000-165535")
    {
        var what = $"{spec.Origin} \"{spec}\"";
        if (tools is null)
        {
            throw new RunfException($"{what} needs more ids than the caller's own, which only newuidmap and newgidmap can map, and they are not on PATH: install them (as root: apt install uidmap), or run as root inside (--user 0)");
        }
        if (caller.Name is null)
        {
            throw new RunfException($"{what} needs subordinate ids, and the caller (uid {caller.Uid}) has no entry in the executor's /etc/passwd, without which newuidmap refuses to map them: add one with its ranges (as root: useradd --uid {caller.Uid} NAME; usermod --add-subuids {freeRange} --add-subgids {freeRange} NAME)");
        }
        if (subUids is null || subGids is null)
        {
            var files = subUids is null && subGids is null ? $"{SubordinateIds.UidFile} and {SubordinateIds.GidFile}" : subUids is null ? SubordinateIds.UidFile : SubordinateIds.GidFile;
            var options = string.Join(' ', (string?[])[subUids is null ? $"--add-subuids {freeRange}" : null, subGids is null ? $"--add-subgids {freeRange}" : null]).Trim();
            throw new RunfException($"{what} needs subordinate ids, and {caller.Name} (uid {caller.Uid}) has none in {files}: add them (as root: usermod {options} {caller.Name})");
        }
        IdRange[] uids = [new(0, caller.Uid, 1), new(1, subUids.Value.Start, subUids.Value.Count)];
        IdRange[] gids = [new(0, caller.Gid, 1), new(1, subGids.Value.Start, subGids.Value.Count)];
        Require(what, "uid", user.Uid, uids, caller.Name, "--add-subuids");
        foreach (var group in user.Groups)
        {
            Require(what, group == user.Gid ? "gid" : "supplementary group", group, gids, caller.Name, "--add-subgids");
        }
        return new IdMaps(uids, gids, tools);
    }

    private static void Require(string what, string kind, uint id, IdRange[] ranges, string owner, string usermodOption)
    {
        if (!ranges.Any(r => r.Contains(id)))
        {
            var top = ranges[^1].Count;
            throw new RunfException($"{what}: {kind} {id} is outside the ids mapped for {owner}: 0 (the caller) and 1 to {top} (its subordinate range of {top}): use an id up to {top}, or give {owner} a larger range (as root: usermod {usermodOption} START-END {owner})");
        }
    }
}
