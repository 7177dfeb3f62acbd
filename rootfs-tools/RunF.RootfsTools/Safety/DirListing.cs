using RunF.Interop;

namespace RunF.RootfsTools.Safety;

/// <summary>The names in a directory open as a descriptor, without "." and "..".</summary>
internal static class DirListing
{
    /// <summary>
    /// Lists the directory open as dir, which stays open and keeps its offset: the listing reads
    /// through a descriptor of its own.
    /// </summary>
    public static List<(string Name, bool IsDir)> Read(SafeFd dir, string path)
    {
        using var own = CheckIo.Check(Libc.OpenAt(dir, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC), "read directory", path);
        var entries = new List<(string Name, byte Type)>();
        int errno = DirectoryEntries.Read(own, entries);
        if (errno != 0)
        {
            throw CheckIo.Error("read directory", path, errno);
        }
        var children = new List<(string Name, bool IsDir)>(entries.Count);
        foreach (var (name, type) in entries)
        {
            children.Add((name, type == Libc.DT_DIR));
        }
        return children;
    }
}
