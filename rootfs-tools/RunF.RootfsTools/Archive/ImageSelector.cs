using System.Globalization;

namespace RunF.RootfsTools.Archive;

/// <summary>
/// Picks the image to extract: by name[:tag] with Docker's normalisation (busybox =
/// docker.io/library/busybox:latest), by id or id prefix (sha256 of the config), or by
/// position "@N" (0-based, as `rootfs ls` shows).
/// </summary>
public static class ImageSelector
{
    public static ImageInfo Select(IReadOnlyList<ImageInfo> images, string? choice)
    {
        if (images.Count == 0)
        {
            throw new RootfsException("the archive contains no image");
        }
        if (string.IsNullOrEmpty(choice))
        {
            if (images.Count == 1)
            {
                return images[0];
            }
            throw new RootfsException($"the archive holds {images.Count} images; choose one with --image: {Describe(images)}");
        }
        if (choice.StartsWith('@'))
        {
            if (int.TryParse(choice.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n < images.Count)
            {
                return images[n];
            }
            throw new RootfsException($"no image {choice}: the archive holds @0 to @{images.Count - 1}");
        }
        string wanted = Normalize(choice);
        var byName = images.Where(i => i.Tags.Any(t => Normalize(t) == wanted || t == choice)).ToList();
        if (byName.Count == 1)
        {
            return byName[0];
        }
        string idPrefix = choice.StartsWith("sha256:", StringComparison.Ordinal) ? choice[7..] : choice;
        if (byName.Count == 0 && idPrefix.Length > 0 && idPrefix.All(Uri.IsHexDigit))
        {
            var byId = images.Where(i => i.Id.StartsWith(idPrefix.ToLowerInvariant(), StringComparison.Ordinal)).DistinctBy(i => i.Id).ToList();
            if (byId.Count == 1)
            {
                return byId[0];
            }
            if (byId.Count > 1)
            {
                throw new RootfsException($"id prefix {choice} is ambiguous; use more digits: {Describe(byId)}");
            }
        }
        if (byName.Count > 1)
        {
            return byName[0];
        }
        throw new RootfsException($"no image {choice} in the archive; it holds {Describe(images)}");
    }

    /// <summary>Docker's reference normalisation: default registry docker.io, namespace library, tag latest.</summary>
    public static string Normalize(string reference)
    {
        string name = reference;
        string? digest = null;
        int at = name.IndexOf('@');
        if (at >= 0)
        {
            digest = name[at..];
            name = name[..at];
        }
        string tag = "";
        int lastSlash = name.LastIndexOf('/');
        int colon = name.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = name[colon..];
            name = name[..colon];
        }
        else if (digest is null)
        {
            tag = ":latest";
        }
        int firstSlash = name.IndexOf('/');
        string first = firstSlash < 0 ? "" : name[..firstSlash];
        bool hasRegistry = firstSlash >= 0 && (first.Contains('.') || first.Contains(':') || first == "localhost");
        if (!hasRegistry)
        {
            name = "docker.io/" + (firstSlash < 0 ? "library/" + name : name);
        }
        else if (first == "index.docker.io")
        {
            name = "docker.io" + name[first.Length..];
        }
        return name.ToLowerInvariant() + tag + digest;
    }

    private static string Describe(IEnumerable<ImageInfo> images) =>
        string.Join(", ", images.Select(i => $"@{i.Index} {i.ShortId}" + (i.Tags.Count > 0 ? $" ({string.Join(" ", i.Tags)})" : "") + (i.Platform is { } p ? $" {p}" : "")));
}
