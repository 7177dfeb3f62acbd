using System.Text;

namespace RunF.RootfsTools.Tests.Support;

/// <summary>
/// The image's owners of an unprivileged extraction, as "UID:GID" by path ("/" for the root), for
/// every path not owned by 0:0, from either record: umoci's user.rootlesscontainers xattrs
/// (rootlesscontainers.com's protobuf) or runf's DIR.owners sidecar.
/// </summary>
public static class Owners
{
    public const string UmociXattr = "user.rootlesscontainers";

    /// <summary>The protobuf's "unchanged" id: the unpacking user, who stands for root.</summary>
    private const ulong NoopId = uint.MaxValue;

    public static SortedDictionary<string, string> FromUmoci(string root)
    {
        var owners = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(root, "", owners);
        return owners;
    }

    private static void Walk(string full, string path, SortedDictionary<string, string> owners)
    {
        if (Xattrs.Read(full).FirstOrDefault(x => x.Name == UmociXattr).Value is { } record && Decode(record) is var (uid, gid) && (uid, gid) != (0, 0))
        {
            owners[path.Length == 0 ? "/" : path] = $"{uid}:{gid}";
        }
        if ((TreeSnapshot.Stat(full).Mode & 0xF000) == 0x4000)
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(full))
            {
                string name = Path.GetFileName(child);
                Walk(child, path.Length == 0 ? name : path + "/" + name, owners);
            }
        }
    }

    /// <summary>message Resource { uint32 uid = 1; uint32 gid = 2; }: varints, an absent field is 0.</summary>
    private static (ulong Uid, ulong Gid) Decode(byte[] message)
    {
        ulong uid = 0, gid = 0;
        for (int i = 0; i < message.Length;)
        {
            int field = message[i] >> 3, wireType = message[i++] & 7;
            if (wireType != 0)
            {
                throw new InvalidDataException($"field {field} of {UmociXattr} is not a varint");
            }
            ulong value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[i++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }
            value = value == NoopId ? 0 : value;
            (uid, gid) = field switch
            {
                1 => (value, gid),
                2 => (uid, value),
                _ => throw new InvalidDataException($"unexpected field {field} in {UmociXattr}"),
            };
        }
        return (uid, gid);
    }

    /// <summary>The "UID:GID PATH" lines of the sidecar (its "mode=" line is not about owners).</summary>
    public static SortedDictionary<string, string> FromSidecar(string rootfs)
    {
        var owners = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(OwnershipFile.PathFor(rootfs)).Where(l => !l.StartsWith("mode=", StringComparison.Ordinal)))
        {
            int space = line.IndexOf(' ');
            owners[Unescape(line[(space + 1)..])] = line[..space];
        }
        return owners;
    }

    private static string Unescape(string path)
    {
        var sb = new StringBuilder(path.Length);
        for (int i = 0; i < path.Length; i++)
        {
            sb.Append(path[i] != '\\' ? path[i] : path[++i] switch { 'n' => '\n', 't' => '\t', var c => c });
        }
        return sb.ToString();
    }
}
