using RunF.RootfsTools.Archive;
using RunF.RootfsTools.Layers;

namespace RunF.RootfsTools;

/// <summary>The outcome of a successful extraction, for the summary line.</summary>
public sealed record ExtractResult(ImageInfo Image, string Output, ExtractStats Stats, TimeSpan Elapsed)
{
    /// <summary>"busybox:latest (3a4b5c6d7e8f, linux/amd64): 3 layers, 412 files, 1.2 MB in 0.04 s" plus skipped counts.</summary>
    public string Summary()
    {
        // The id is the name when there is no tag; the platform, when the config names one.
        var details = new List<string>(2);
        if (Image.Tags.Count > 0)
        {
            details.Add(Image.ShortId);
        }
        if (Image.Platform is { } platform)
        {
            details.Add(platform.ToString());
        }
        string name = details.Count > 0 ? $"{Image.DisplayName} ({string.Join(", ", details)})" : Image.DisplayName;
        string text = $"extracted {name} to {Output}: {Stats.Layers} layers, {Stats.Files} files, {Stats.Directories} directories, " +
            $"{Stats.Symlinks} symlinks, {Stats.Hardlinks} hardlinks, {Size.Format(Stats.FileBytes)} in {Elapsed.TotalSeconds:0.00} s";
        if (Stats.SkippedDevices > 0)
        {
            text += $", {Stats.SkippedDevices} device nodes skipped";
        }
        if (Stats.DroppedXattrs > 0)
        {
            text += $", {Stats.DroppedXattrs} non-user xattrs dropped";
        }
        return text;
    }
}

/// <summary>Human-readable sizes (powers of 1024).</summary>
public static class Size
{
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : $"{value:0.0} {units[unit]}";
    }

    /// <summary>Parses "512M", "16G", "1000000" (suffixes K, M, G, T are powers of 1024).</summary>
    public static long Parse(string text)
    {
        string t = text.Trim().ToUpperInvariant().TrimEnd('B').TrimEnd('I');
        long multiplier = 1;
        if (t.Length > 0 && "KMGT".Contains(t[^1]))
        {
            multiplier = 1L << (10 * ("KMGT".IndexOf(t[^1]) + 1));
            t = t[..^1];
        }
        if (!long.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) || n <= 0)
        {
            throw new RootfsException($"invalid size \"{text}\"; use a number with an optional k, m, g or t suffix");
        }
        return checked(n * multiplier);
    }
}
