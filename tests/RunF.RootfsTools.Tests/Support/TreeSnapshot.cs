using System.Security.Cryptography;
using System.Text;
using RunF.Interop;

namespace RunF.RootfsTools.Tests.Support;

/// <summary>
/// A tree described entry by entry as the oracle comparison needs it: type, mode bits
/// (including setuid/setgid/sticky), size, content hash, symlink target, extended attributes
/// (but umoci's record of owners, compared as <see cref="Owners"/>) and hardlink identity (the
/// group of paths sharing an inode, named by its first path).
/// </summary>
public static class TreeSnapshot
{
    public static SortedDictionary<string, string> Take(string root)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var inodes = new Dictionary<(ulong, ulong), List<string>>();
        Walk(root, "", entries, inodes);
        foreach (var group in inodes.Values.Where(g => g.Count > 1))
        {
            string first = group.Min(StringComparer.Ordinal)!;
            foreach (var path in group)
            {
                entries[path] += $" link-group={first}";
            }
        }
        return entries;
    }

    private static void Walk(string root, string rel, SortedDictionary<string, string> entries, Dictionary<(ulong, ulong), List<string>> inodes)
    {
        foreach (var full in Directory.EnumerateFileSystemEntries(Path.Combine(root, rel)))
        {
            string name = Path.GetFileName(full);
            string path = rel.Length == 0 ? name : rel + "/" + name;
            var info = Stat(full);
            string mode = Convert.ToString(info.Mode & 0xFFF, 8);
            switch (info.Mode & 0xF000)
            {
                case 0x4000:
                    entries[path] = $"dir {mode}";
                    Walk(root, path, entries, inodes);
                    break;
                case 0xA000:
                    entries[path] = $"symlink -> {new FileInfo(full).LinkTarget}";
                    break;
                case 0x8000:
                    entries[path] = $"file {mode} size={info.Size} sha256={Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(full)))}";
                    if (info.Nlink > 1)
                    {
                        var key = (info.Dev, info.Ino);
                        if (!inodes.TryGetValue(key, out var list))
                        {
                            inodes[key] = list = [];
                        }
                        list.Add(path);
                    }
                    break;
                case 0x1000:
                    entries[path] = $"fifo {mode}";
                    break;
                default:
                    entries[path] = $"other {Convert.ToString(info.Mode, 8)}";
                    break;
            }
            if (Xattrs.Read(full).Where(x => x.Name != Owners.UmociXattr).ToList() is { Count: > 0 } xattrs)
            {
                entries[path] += " xattrs=" + string.Join(',', xattrs.Select(x => $"{x.Name}:{Convert.ToHexStringLower(x.Value)}"));
            }
        }
    }

    public readonly record struct StatInfo(uint Mode, long Size, ulong Nlink, ulong Dev, ulong Ino);

    /// <summary>The status of path itself (a symlink is not followed).</summary>
    public static StatInfo Stat(string path)
    {
        // A real Debian tree has 10,000 entries: statx, not a stat process per entry.
        var status = Libc.Stat(path, Libc.AT_SYMLINK_NOFOLLOW) ?? throw new IOException($"stat {path}: {Errno.Describe(Errno.Last)}");
        return new StatInfo(status.Mode, (long)status.Size, status.Links, status.Device, status.Inode);
    }

    /// <summary>An empty string if equal, else one line per differing path.</summary>
    public static string Diff(IDictionary<string, string> expected, IDictionary<string, string> actual, ISet<string>? ignoreExtra = null)
    {
        var sb = new StringBuilder();
        foreach (var (path, want) in expected)
        {
            if (!actual.TryGetValue(path, out var got))
            {
                sb.AppendLine($"missing {path}: {want}");
            }
            else if (got != want)
            {
                sb.AppendLine($"differs {path}: want {want}, got {got}");
            }
        }
        foreach (var (path, got) in actual)
        {
            if (!expected.ContainsKey(path) && ignoreExtra?.Contains(path) != true)
            {
                sb.AppendLine($"extra {path}: {got}");
            }
        }
        return sb.ToString();
    }
}
