using RunF.Interop;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Identity;

/// <summary>Finds newuidmap and newgidmap (Debian's uidmap) on PATH, as execvp would (/bin:/usr/bin without one).</summary>
public static class IdMapToolFinder
{
    public static IdMapTools? Find()
    {
        var dirs = (PosixEnvironment.Get("PATH") ?? "/bin:/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return Executable(dirs, "newuidmap") is { } uidMap && Executable(dirs, "newgidmap") is { } gidMap ? new IdMapTools(uidMap, gidMap) : null;
    }

    private static string? Executable(string[] dirs, string name)
    {
        foreach (var dir in dirs)
        {
            var path = dir.TrimEnd('/') + "/" + name;
            if (dir.StartsWith('/') && Libc.Access(path, Libc.X_OK) == 0)
            {
                return path;
            }
        }
        return null;
    }
}
