using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>Resource limits, as the executor has them.</summary>
public static unsafe partial class Libc
{
    /// <summary>The soft and hard limit of a resource (RLIMIT_*); 1024 both when it cannot be read.</summary>
    public static (ulong Soft, ulong Hard) GetRlimit(int resource)
    {
        var limits = stackalloc ulong[2];
        return GetRlimit(resource, limits) == 0 ? (limits[0], limits[1]) : (1024, 1024);
    }

    [LibraryImport(Lib, EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, ulong* limits);
}
