using System.Globalization;
using System.Text;
using RunF.Interop;
using RunF.RootfsTools.Layers;
using RunF.RootfsTools.Output;

namespace RunF.RootfsTools;

/// <summary>
/// What of the image an unprivileged extraction cannot apply, kept in a sidecar beside the
/// rootfs, X.owners, so nothing is lost. Each line is a field, a space and a path (relative to
/// X, "/" for X itself, escaped C-style: \\, \n, \t; its bytes as the file name has them, which
/// need not be UTF-8):
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
        // PosixString, not a StreamWriter: UTF-8 would write a name's invalid bytes as U+FFFD.
        using var writer = new BufferedStream(SidecarFile.Create(path), 1 << 16);
        if (record.ImageRootMode is { } mode)
        {
            writer.Write(Encoding.ASCII.GetBytes($"mode={Convert.ToString(mode, 8).PadLeft(4, '0')} /\n"));
        }
        foreach (var (file, (uid, gid)) in record.Entries.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            writer.Write(PosixString.Encode(string.Create(CultureInfo.InvariantCulture, $"{uid}:{gid} {(file.Length == 0 ? "/" : Escape(file))}\n")));
        }
    }

    public static string Escape(string path) =>
        path.Contains('\\') || path.Contains('\n') || path.Contains('\t')
            ? path.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\t", "\\t")
            : path;
}
