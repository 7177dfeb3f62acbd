using System.Text;
using RunF.RootfsTools.Layers;
using RunF.RootfsTools.Output;

namespace RunF.RootfsTools;

/// <summary>
/// What of the image an unprivileged extraction cannot apply, kept in a sidecar beside the
/// rootfs, X.owners, so nothing is lost. Each line is a field, a space and a path (relative to
/// X, "/" for X itself, escaped C-style: \\, \n, \t):
/// "UID:GID PATH" for each path not owned by 0:0 (every file belongs to the caller), and
/// "mode=MODE /" (octal) when the image's mode of its root was not applied: X is a directory on
/// the host, so it never gets the group or other write bits.
/// A path with no owner line is 0:0; a path with no mode line has the image's mode.
/// </summary>
public static class OwnershipFile
{
    public static string PathFor(string rootfsDir) => rootfsDir.TrimEnd('/') + ".owners";

    internal static void Write(string path, OwnershipRecord record)
    {
        using var writer = new StreamWriter(SidecarFile.Create(path), new UTF8Encoding(false));
        if (record.ImageRootMode is { } mode)
        {
            writer.Write("mode=");
            writer.Write(Convert.ToString(mode, 8).PadLeft(4, '0'));
            writer.Write(" /\n");
        }
        foreach (var (file, (uid, gid)) in record.Entries.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            writer.Write(uid);
            writer.Write(':');
            writer.Write(gid);
            writer.Write(' ');
            writer.Write(file.Length == 0 ? "/" : Escape(file));
            writer.Write('\n');
        }
    }

    public static string Escape(string path) =>
        path.Contains('\\') || path.Contains('\n') || path.Contains('\t')
            ? path.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\t", "\\t")
            : path;
}
