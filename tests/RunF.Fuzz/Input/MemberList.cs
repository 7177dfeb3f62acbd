using System.Text;

namespace RunF.Fuzz.Input;

/// <summary>
/// The structured input of the archive and layer targets: tar members described as text, so
/// that AFL's mutations change names, types, link targets and JSON rather than break tar
/// checksums. An input that does not start with the header mark is used raw (the tar or
/// archive bytes themselves), which keeps the tar reader's own error paths in reach.
///
///     @@ T[MODE] NAME[\tFIELD]...      one header line per member (nested: "## ")
///     content...                       up to the next "\n@@ " (or "\n## ")
///
/// T: f file, d directory, l symlink, h hardlink (first FIELD: the target), p fifo,
/// c/b device, L layer boundary, t/z/Z a tar (plain, gzip, zstd) built from the nested
/// members of the content, g gzip the whole outer archive. MODE: octal digits. Other FIELDs
/// KEY=VALUE become PAX extended attributes (SCHILY.xattr.user.x=1, uid=1000).
/// </summary>
internal sealed record Member(char Type, int? Mode, string Name, string? Link, IReadOnlyDictionary<string, string> Pax, byte[] Content);

internal static class MemberList
{
    public static readonly byte[] Mark = "@@ "u8.ToArray();
    public static readonly byte[] NestedMark = "## "u8.ToArray();

    public static bool IsStructured(ReadOnlySpan<byte> input) => input.StartsWith(Mark);

    /// <summary>The members of input, whose headers start with mark (at the start or after a newline).</summary>
    public static List<Member> Parse(ReadOnlySpan<byte> input, ReadOnlySpan<byte> mark)
    {
        var members = new List<Member>();
        if (!input.StartsWith(mark))
        {
            return members;
        }
        Span<byte> separator = stackalloc byte[mark.Length + 1];
        separator[0] = (byte)'\n';
        mark.CopyTo(separator[1..]);
        var rest = input[mark.Length..];
        while (true)
        {
            int next = rest.IndexOf(separator);
            var record = next < 0 ? rest : rest[..next];
            int eol = record.IndexOf((byte)'\n');
            var header = eol < 0 ? record : record[..eol];
            var content = eol < 0 ? [] : record[(eol + 1)..];
            if (Header(Encoding.UTF8.GetString(header), content.ToArray()) is { } member)
            {
                members.Add(member);
            }
            if (next < 0)
            {
                return members;
            }
            rest = rest[(next + separator.Length)..];
        }
    }

    private static Member? Header(string header, byte[] content)
    {
        if (header.Length == 0)
        {
            return null;
        }
        char type = header[0];
        int i = 1;
        int? mode = null;
        while (i < header.Length && header[i] is >= '0' and <= '7' && i < 8)
        {
            mode = (mode ?? 0) * 8 + (header[i] - '0');
            i++;
        }
        var fields = header[i..].TrimStart(' ').Split('\t');
        string? link = type is 'l' or 'h' && fields.Length > 1 ? fields[1] : null;
        var pax = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in fields.Skip(link is null ? 1 : 2))
        {
            int eq = field.IndexOf('=');
            if (eq > 0)
            {
                pax[field[..eq]] = field[(eq + 1)..];
            }
        }
        return new Member(type, mode, fields[0], link, pax, content);
    }

    /// <summary>Members split at the L records: one list per layer (at least one).</summary>
    public static List<List<Member>> Layers(IEnumerable<Member> members)
    {
        var layers = new List<List<Member>> { new() };
        foreach (var m in members)
        {
            if (m.Type == 'L')
            {
                layers.Add([]);
            }
            else
            {
                layers[^1].Add(m);
            }
        }
        return layers;
    }
}
