using System.Text;

namespace RunF.RootfsTools;

/// <summary>
/// The image's owners of files, which an unprivileged extraction cannot apply (every file
/// belongs to the caller). They are kept in a sidecar beside the rootfs, X.owners, so nothing
/// is lost: one line "UID:GID PATH" for each path not owned by 0:0, path escaped C-style
/// (\\, \n, \t). A path absent from the file is 0:0.
/// </summary>
public static class OwnershipFile
{
    public static string PathFor(string rootfsDir) => rootfsDir.TrimEnd('/') + ".owners";

    internal static void Write(string path, IEnumerable<KeyValuePair<string, (int Uid, int Gid)>> owners)
    {
        using var writer = new StreamWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write), new UTF8Encoding(false));
        foreach (var (file, (uid, gid)) in owners.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            writer.Write(uid);
            writer.Write(':');
            writer.Write(gid);
            writer.Write(' ');
            writer.Write(Escape(file));
            writer.Write('\n');
        }
    }

    public static string Escape(string path) =>
        path.Contains('\\') || path.Contains('\n') || path.Contains('\t')
            ? path.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\t", "\\t")
            : path;
}
