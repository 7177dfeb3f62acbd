using System.Globalization;

namespace RunF.Runtime.Spec;

/// <summary>Durations as Go and docker write them: 30s, 500ms, 2m, 1h30m, 1.5s; a bare number is seconds.</summary>
public static class Duration
{
    private static readonly (string Unit, double Seconds)[] Units = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)];

    public static TimeSpan Parse(string text, string what)
    {
        var s = text.Trim();
        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare) && bare > 0)
        {
            return TimeSpan.FromSeconds(bare);
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
            ? TimeSpan.FromSeconds(total)
            : throw new Errors.RunfException($"invalid {what} \"{text}\": expected a duration such as 30s, 500ms, 2m or 1h");
    }

    /// <summary>"30s", "1.5s", "2m" for messages.</summary>
    public static string Format(TimeSpan t) =>
        t.TotalSeconds >= 60 && t.TotalSeconds % 60 == 0 ? $"{t.TotalMinutes:0}m" : $"{t.TotalSeconds:0.###}s";
}
