using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace RunF.Fuzz.Input;

/// <summary>Writes member lists as tar archives (PAX, as the layers the tests craft), compressed or not.</summary>
internal static class TarBuilder
{
    private const int MaxMode = 0xFFF;

    /// <summary>A tar of the members, each with its own content.</summary>
    public static byte[] Tar(IEnumerable<Member> members) => Tar(members.Select(m => (m, m.Content)));

    public static byte[] Tar(IEnumerable<(Member Member, byte[] Content)> members)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (m, content) in members)
            {
                if (m.Type is 'L' or 'g' || m.Name.Length == 0 || m.Name.Contains('\0'))
                {
                    continue;
                }
                var entry = new PaxTarEntry(TypeOf(m.Type), m.Name, m.Pax)
                {
                    Mode = (UnixFileMode)((m.Mode ?? DefaultMode(m.Type)) & MaxMode),
                    ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                };
                if (m.Link is { Length: > 0 } link && !link.Contains('\0'))
                {
                    entry.LinkName = link;
                }
                if (entry.EntryType == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(content);
                }
                writer.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }
        return ms.ToArray();
    }

    public static byte[] Zstd(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(1);
        return compressor.Wrap(data).ToArray();
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// The outer archive of the archive target: f members as they are, t/z/Z members as tars of
    /// their nested ("## ") members, and "@diff:NAME@" in any file replaced by the diff_id of the
    /// tar member NAME, so that mutated images still pass the digest check between layers.
    /// </summary>
    public static byte[] Archive(List<Member> members)
    {
        var layers = new Dictionary<string, (byte[] Stored, string DiffId)>(StringComparer.Ordinal);
        foreach (var m in members.Where(m => m.Type is 't' or 'z' or 'Z'))
        {
            byte[] tar = Tar(MemberList.Parse(m.Content, MemberList.NestedMark));
            layers[m.Name] = (m.Type switch { 'z' => Gzip(tar), 'Z' => Zstd(tar), _ => tar }, Sha256(tar));
        }
        byte[] archive = Tar(members.Select(m => m.Type is 't' or 'z' or 'Z'
            ? (m with { Type = 'f' }, layers[m.Name].Stored)
            : (m, SubstituteDiffIds(m.Content, layers))));
        return members.Any(m => m.Type == 'g') ? Gzip(archive) : archive;
    }

    private static byte[] SubstituteDiffIds(byte[] content, Dictionary<string, (byte[] Stored, string DiffId)> layers)
    {
        if (content.AsSpan().IndexOf("@diff:"u8) < 0)
        {
            return content;
        }
        var text = Encoding.UTF8.GetString(content);
        foreach (var (name, layer) in layers)
        {
            text = text.Replace($"@diff:{name}@", layer.DiffId, StringComparison.Ordinal);
        }
        return Encoding.UTF8.GetBytes(text);
    }

    private static TarEntryType TypeOf(char type) => type switch
    {
        'd' => TarEntryType.Directory,
        'l' => TarEntryType.SymbolicLink,
        'h' => TarEntryType.HardLink,
        'p' => TarEntryType.Fifo,
        'c' => TarEntryType.CharacterDevice,
        'b' => TarEntryType.BlockDevice,
        _ => TarEntryType.RegularFile,
    };

    private static int DefaultMode(char type) => type switch
    {
        'd' => 0x1ED, // 0755
        'l' => 0x1FF, // 0777
        _ => 0x1A4, // 0644
    };
}
