using RunF.Interop;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Identity;

/// <summary>Finds newuidmap and newgidmap (Debian's uidmap) as a shell would, then where Debian puts them.</summary>
public static class IdMapToolFinder
{
    public static IdMapTools? Find()
    {
        var dirs = (PosixEnvironment.Get("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/bin", "/bin"]);
        var uidMap = Executable(dirs, "newuidmap");
        var gidMap = Executable(dirs, "newgidmap");
        return uidMap is not null && gidMap is not null ? new IdMapTools(uidMap, gidMap) : null;
    }

    private static string? Executable(IEnumerable<string> dirs, string name) =>
        dirs.Where(d => d.StartsWith('/')).Select(d => d.TrimEnd('/') + "/" + name).FirstOrDefault(p => Libc.Access(p, Libc.X_OK) == 0);
}
