using System.Globalization;

namespace RunF.Runtime.Spec;

/// <summary>Durations as Go and docker write them: 30s, 500ms, 2m, 1h30m, 1.5s; a bare number is seconds.</summary>
public static class Duration
{
    /// <summary>The longest a timer takes (0xfffffffe ms): about 49.7 days.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private static readonly (string Unit, double Seconds)[] Units = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)];

    public static TimeSpan Parse(string text, string what)
    {
        var s = text.Trim();
        // Digits and dots only: double.TryParse would also take "Infinity", "NaN" and exponents.
        if (s.Length > 0 && s.All(c => char.IsAsciiDigit(c) || c == '.')
            && double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare) && bare > 0)
        {
            return Bounded(bare, text, what);
        }
        var total = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            var unit = Units.FirstOrDefault(u => string.CompareOrdinal(s, i, u.Unit, 0, u.Unit.Length) == 0);
            if (i == start || unit.Unit is null || !double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                throw new Errors.RunfException($"invalid {what} \"{text}\": expected a duration such as 30s, 500ms, 2m or 1h");
            }
            total += n * unit.Seconds;
            i += unit.Unit.Length;
        }
        return total > 0
            ? Bounded(total, text, what)
            : throw new Errors.RunfException($"invalid {what} \"{text}\": expected a duration such as 30s, 500ms, 2m or 1h");
    }

    private static TimeSpan Bounded(double seconds, string text, string what) =>
        seconds <= Max.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new Errors.RunfException($"invalid {what} \"{text}\": too long, at most {Max.TotalHours:0}h (49 days)");

    /// <summary>"30s", "1.5s", "2m" for messages.</summary>
    public static string Format(TimeSpan t) =>
        t.TotalSeconds >= 60 && t.TotalSeconds % 60 == 0 ? $"{t.TotalMinutes:0}m" : $"{t.TotalSeconds:0.###}s";
}
