using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using RunF.RootfsTools.Json;

namespace RunF.RootfsTools.Archive;

/// <summary>
/// Lists the images of an archive. manifest.json (docker save, skopeo docker-archive, Docker
/// 25+, ggcr/kaniko, containerd) is preferred over index.json, because Docker 25 wrote broken
/// index.json files; an archive with index.json only (oci-archive, some containerd exports) is
/// read as an OCI layout, following nested indexes. Each image's platform comes from its config.
/// </summary>
internal static partial class ImageCatalog
{
    private const string ContainerdNameAnnotation = "io.containerd.image.name";
    private const string OciRefNameAnnotation = "org.opencontainers.image.ref.name";
    private const int MaxIndexDepth = 8;

    /// <summary>The images of archive; of an image index's platforms, those that match <paramref name="platform"/> (the host's by default).</summary>
    public static List<ImageInfo> Read(OuterArchive archive, Platform? platform = null)
    {
        if (archive.Contains("manifest.json"))
        {
            return FromDockerManifest(archive);
        }
        if (archive.Contains("index.json"))
        {
            return FromOciIndex(archive, platform ?? Platform.Host);
        }
        throw new RootfsException($"archive {archive.DisplayName} has neither manifest.json nor index.json; it is not a docker save or oci archive");
    }

    private static List<ImageInfo> FromDockerManifest(OuterArchive archive)
    {
        var manifest = Parse(archive, archive.Require("manifest.json", "manifest"), "manifest.json", ArchiveJsonContext.Default.ListDockerManifestEntry);
        var images = new List<ImageInfo>();
        foreach (var entry in manifest)
        {
            if (entry.Config is null || entry.Layers is null)
            {
                throw new RootfsException($"manifest.json of {archive.DisplayName}: image {images.Count} lacks Config or Layers");
            }
            var config = archive.Require(entry.Config, "manifest.json config");
            var layers = entry.Layers.Select(l =>
            {
                var member = archive.Require(l, "manifest.json layer");
                return new LayerInfo(member.Name, member.Length) { Member = member };
            }).ToList();
            images.Add(Build(archive, images.Count, entry.RepoTags ?? [], config, layers));
        }
        return images;
    }

    private static List<ImageInfo> FromOciIndex(OuterArchive archive, Platform platform)
    {
        var index = Parse(archive, archive.Require("index.json", "index"), "index.json", ArchiveJsonContext.Default.OciManifestOrIndex);
        var manifests = new List<(OciDescriptor Descriptor, string? Name)>();
        CollectManifests(archive, index, platform, name: null, manifests, depth: 0);
        var images = new List<ImageInfo>();
        foreach (var (descriptor, name) in manifests)
        {
            var manifestMember = Blob(archive, descriptor, "manifest");
            var manifest = Parse(archive, manifestMember, manifestMember.Name, ArchiveJsonContext.Default.OciManifestOrIndex);
            if (manifest.Config is null || manifest.Layers is null)
            {
                throw new RootfsException($"manifest {manifestMember.Name} lacks config or layers");
            }
            var config = Blob(archive, manifest.Config, "config");
            var layers = manifest.Layers.Select(l =>
            {
                var member = Blob(archive, l, "layer");
                return new LayerInfo(member.Name, member.Length) { Member = member };
            }).ToList();
            images.Add(Build(archive, images.Count, name is null ? [] : [name], config, layers));
        }
        return images;
    }

    /// <summary>
    /// Walks an index down to image manifests. Of a multi-platform index only manifests present
    /// in the archive count (exports usually carry one platform); among those, the wanted
    /// platform's (the host's unless --platform says otherwise) when there is one, so `skopeo
    /// copy --all` layouts extract what runs here.
    /// </summary>
    private static void CollectManifests(OuterArchive archive, OciManifestOrIndex index, Platform platform, string? name, List<(OciDescriptor, string?)> found, int depth)
    {
        if (depth > MaxIndexDepth)
        {
            throw new RootfsException("index.json nests image indexes too deeply");
        }
        var present = (index.Manifests ?? []).Where(d => d.Digest is not null && archive.Contains(BlobPath(d.Digest))).ToList();
        var wanted = present.Where(d => d.Platform is null || ToPlatform(d.Platform, platform).Matches(platform)).ToList();
        foreach (var descriptor in wanted.Count > 0 ? wanted : present)
        {
            string? ownName = NameOf(descriptor) ?? name;
            if (IsIndex(descriptor.MediaType))
            {
                var member = Blob(archive, descriptor, "index");
                CollectManifests(archive, Parse(archive, member, member.Name, ArchiveJsonContext.Default.OciManifestOrIndex), platform, ownName, found, depth + 1);
            }
            else
            {
                found.Add((descriptor, ownName));
            }
        }
    }

    private static string? NameOf(OciDescriptor d)
    {
        if (d.Annotations is null)
        {
            return null;
        }
        if (d.Annotations.TryGetValue(ContainerdNameAnnotation, out var full))
        {
            return full;
        }
        // skopeo and umoci put just the tag here; containerd and Docker 25 a full reference.
        return d.Annotations.TryGetValue(OciRefNameAnnotation, out var refName) ? refName : null;
    }

    private static bool IsIndex(string? mediaType) =>
        mediaType is "application/vnd.oci.image.index.v1+json" or "application/vnd.docker.distribution.manifest.list.v2+json";

    // A descriptor that leaves a field out matches any value of it.
    private static Platform ToPlatform(OciPlatform p, Platform wanted) =>
        new(p.Os ?? wanted.Os, p.Architecture ?? wanted.Architecture, p.Variant);

    private static OuterArchive.Member Blob(OuterArchive archive, OciDescriptor d, string what)
    {
        if (d.Digest is null)
        {
            throw new RootfsException($"a {what} descriptor has no digest");
        }
        return archive.Require(BlobPath(d.Digest), what);
    }

    /// <summary>blobs/ALG/HEX for a digest; the digest is validated so it cannot form a path of its own.</summary>
    private static string BlobPath(string digest)
    {
        var m = DigestPattern().Match(digest);
        if (!m.Success)
        {
            throw new RootfsException($"invalid digest \"{digest}\" in the archive's index");
        }
        return $"blobs/{m.Groups[1].Value}/{m.Groups[2].Value}";
    }

    [GeneratedRegex("^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$")]
    private static partial Regex DigestPattern();

    private static ImageInfo Build(OuterArchive archive, int index, IReadOnlyList<string> tags, OuterArchive.Member config, List<LayerInfo> layers)
    {
        byte[] bytes = archive.ReadAll(config);
        string id = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var image = new ImageInfo(index, tags, id, layers) { ConfigBytes = bytes };
        return image with { Platform = PlatformOf(image) };
    }

    // A config that does not parse is reported when its image is extracted, not when another one is.
    private static Platform? PlatformOf(ImageInfo image)
    {
        ImageConfigDocument config;
        try
        {
            config = ParseConfig(image);
        }
        catch (RootfsException)
        {
            return null;
        }
        return string.IsNullOrEmpty(config.Architecture) ? null
            : new Platform(string.IsNullOrEmpty(config.Os) ? "linux" : config.Os, config.Architecture, string.IsNullOrEmpty(config.Variant) ? null : config.Variant);
    }

    private static T Parse<T>(OuterArchive archive, OuterArchive.Member member, string what, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(archive.ReadAll(member), type)
                ?? throw new RootfsException($"{what} in {archive.DisplayName} is empty");
        }
        catch (JsonException e)
        {
            throw new RootfsException($"{what} in {archive.DisplayName} is not valid json ({e.Message})", e);
        }
    }

    internal static ImageConfigDocument ParseConfig(ImageInfo image)
    {
        try
        {
            return JsonSerializer.Deserialize(image.ConfigBytes, ArchiveJsonContext.Default.ImageConfigDocument)
                ?? throw new RootfsException($"the config of image {image.ShortId} is empty");
        }
        catch (JsonException e)
        {
            throw new RootfsException($"the config of image {image.ShortId} is not valid json ({e.Message})", e);
        }
    }
}
