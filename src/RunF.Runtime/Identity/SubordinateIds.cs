using System.Globalization;

namespace RunF.Runtime.Identity;

/// <summary>
/// The executor's /etc/subuid and /etc/subgid: "OWNER:START:COUNT" lines that give a user host
/// ids of its own to map (useradd and usermod --add-subuids write them). The owner is matched as
/// shadow's newuidmap matches it: the user's name first, then its uid written as a number.
/// </summary>
public static class SubordinateIds
{
    public const string UidFile = "/etc/subuid";
    public const string GidFile = "/etc/subgid";

    /// <summary>The size of range useradd gives a user (login.defs' SUB_UID_COUNT).</summary>
    public const uint SuggestedCount = 65536;

    /// <summary>
    /// A range of SuggestedCount ids after every range in the files, from 100000 (useradd's
    /// SUB_UID_MIN), for the usermod a fix suggests: one that takes no other user's ids.
    /// </summary>
    public static string FreeRange(params string?[] files)
    {
        ulong start = 100000;
        foreach (var file in files)
        {
            foreach (var raw in (file ?? "").Split('\n'))
            {
                var fields = raw.Trim().Split(':');
                if (fields.Length == 3 && ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                    && ulong.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    start = Math.Max(start, first + count);
                }
            }
        }
        return $"{start}-{start + SuggestedCount - 1}";
    }

    /// <summary>The first range of the caller's (Host = START, Count = COUNT), or null for none.</summary>
    public static (uint Start, uint Count)? Find(string? file, string? name, uint uid)
    {
        var byUid = uid.ToString(CultureInfo.InvariantCulture);
        (uint, uint)? first = null;
        foreach (var raw in (file ?? "").Split('\n'))
        {
            var fields = raw.Trim().Split(':');
            if (fields.Length != 3 || fields[0].StartsWith('#')
                || !uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || !uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count == 0
                || (ulong)start + count > uint.MaxValue)
            {
                continue;
            }
            if (name is not null && fields[0] == name)
            {
                return (start, count);
            }
            if (fields[0] == byUid)
            {
                first ??= (start, count);
            }
        }
        return first;
    }
}
