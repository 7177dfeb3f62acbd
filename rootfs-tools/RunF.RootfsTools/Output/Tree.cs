using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Output;

/// <summary>
/// Removes a whole extracted tree. Directory.Delete would stop at the image's read-only
/// directories when unprivileged; this walk makes each directory writable first and never
/// follows symlinks.
/// </summary>
internal static class Tree
{
    public static void Remove(string path)
    {
        string full = Path.GetFullPath(path);
        string parent = Path.GetDirectoryName(full)!;
        if (!Path.Exists(full))
        {
            return;
        }
        using var root = RootDir.Open(parent);
        int fd = root.Dir("", create: false);
        root.Remove(fd, Path.GetFileName(full), Path.GetFileName(full));
    }
}
