using RunF.Interop;

namespace RunF.Runtime.IO;

/// <summary>
/// The regular files in a directory, by name. Every run lists its state directory while the
/// function runs; .NET's file system enumerator costs a runf start more code than the listing.
/// </summary>
internal static class DirectoryNames
{
    /// <summary>Names of the regular files in path (a file system that does not say is taken at its word).</summary>
    public static List<string> FilesIn(string path)
    {
        using var dir = CheckIo.Check(Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC), "list", path);
        var entries = new List<(string Name, byte Type)>();
        var errno = DirectoryEntries.Read(dir, entries);
        if (errno != 0)
        {
            throw CheckIo.Error("list", path, errno);
        }
        var names = new List<string>(entries.Count);
        foreach (var (name, type) in entries)
        {
            if (type is Libc.DT_REG or Libc.DT_UNKNOWN)
            {
                names.Add(name);
            }
        }
        return names;
    }
}
