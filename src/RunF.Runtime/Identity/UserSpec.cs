using System.Globalization;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Identity;

/// <summary>
/// A user as docker run's --user and an image's User give it: USER[:GROUP], each a number or a
/// name to look up in the rootfs's /etc/passwd and /etc/group. Origin says where it came from,
/// for messages ("--user", "the image's User").
/// </summary>
public sealed record UserSpec(string User, string? Group, string Origin)
{
    /// <summary>runc's limit: ids are 0 to 2^31-1.</summary>
    public const uint MaxId = int.MaxValue;

    public static UserSpec Parse(string text, string origin)
    {
        var colon = text.IndexOf(':');
        var user = colon < 0 ? text : text[..colon];
        var group = colon < 0 ? null : text[(colon + 1)..];
        if (user.Length == 0 || group is { Length: 0 } || group?.Contains(':') == true || text.Any(char.IsWhiteSpace))
        {
            throw new RunfException($"invalid {origin} \"{text}\": expected USER[:GROUP], each a name or a number (--user 1000:1000, --user app)");
        }
        var spec = new UserSpec(user, group, origin);
        foreach (var part in (string?[])[user, group])
        {
            if (part is not null && IsNumber(part) && Number(part) is null)
            {
                throw new RunfException($"invalid {origin} \"{text}\": {part} is not an id from 0 to {MaxId}");
            }
        }
        return spec;
    }

    /// <summary>0, root, 0:0, root:root: the caller's own ids, as every container has them without --user.</summary>
    public bool IsRoot => User is "0" or "root" && Group is null or "0" or "root";

    public override string ToString() => Group is null ? User : $"{User}:{Group}";

    /// <summary>Whether part is written as a number (then it is an id, never a name, as runc reads it).</summary>
    internal static bool IsNumber(string part) => part.All(char.IsAsciiDigit);

    /// <summary>The id part names, or null when it is a name or out of range.</summary>
    internal static uint? Number(string part) =>
        IsNumber(part) && uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id <= MaxId ? id : null;
}
