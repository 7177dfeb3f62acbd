using System.Globalization;

namespace RunF.Runtime.Spec;

/// <summary>Sizes as docker run writes them: 64m, 1g, 512k, 1024 (bytes).</summary>
public static class ByteSize
{
    public static long Parse(string text, string what)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s.EndsWith('b') && s.Length > 1 && !char.IsDigit(s[^2]))
        {
            s = s[..^1]; // "64mb" as well as "64m"
        }
        var shift = s.Length == 0 ? 0 : s[^1] switch { 'k' => 10, 'm' => 20, 'g' => 30, 't' => 40, _ => 0 };
        var digits = shift > 0 || s.EndsWith('b') ? s[..^1] : s;
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw new Errors.RunfException($"invalid {what} \"{text}\": expected a size such as 64m, 512k or 1g");
        }
        // Within decimal's range (about 7.9e28) a long's limit is checked before the cast, which would throw.
        return number <= long.MaxValue >> shift
            ? (long)(number * (1L << shift))
            : throw new Errors.RunfException($"invalid {what} \"{text}\": too large, at most 8 EiB");
    }

    /// <summary>"64 MiB" for messages.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} bytes",
    };
}
