using System.Text.Json;
using System.Text.Json.Serialization;

namespace RunF.RootfsTools.Json;

/// <summary>One element of a docker save / ggcr manifest.json.</summary>
internal sealed class DockerManifestEntry
{
    public string? Config { get; set; }
    public List<string>? RepoTags { get; set; }
    public List<string>? Layers { get; set; }
}

/// <summary>An OCI descriptor (also the Docker distribution manifest v2 descriptor).</summary>
internal sealed class OciDescriptor
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("digest")] public string? Digest { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("platform")] public OciPlatform? Platform { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

internal sealed class OciPlatform
{
    [JsonPropertyName("os")] public string? Os { get; set; }
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
}

/// <summary>An OCI image index, an OCI image manifest or a Docker manifest list / v2 manifest: one shape reads all four.</summary>
internal sealed class OciManifestOrIndex
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("manifests")] public List<OciDescriptor>? Manifests { get; set; }
    [JsonPropertyName("config")] public OciDescriptor? Config { get; set; }
    [JsonPropertyName("layers")] public List<OciDescriptor>? Layers { get; set; }
}

/// <summary>The parts of an image config (application/vnd.oci.image.config.v1+json) the extractor uses.</summary>
internal sealed class ImageConfigDocument
{
    [JsonPropertyName("os")] public string? Os { get; set; }
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; set; }
    [JsonPropertyName("rootfs")] public RootfsSection? Rootfs { get; set; }
}

internal sealed class ContainerConfig
{
    public List<string>? Env { get; set; }
    public List<string>? Entrypoint { get; set; }
    public List<string>? Cmd { get; set; }
    public string? WorkingDir { get; set; }
    public string? User { get; set; }
    public Dictionary<string, JsonElement>? ExposedPorts { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

internal sealed class RootfsSection
{
    [JsonPropertyName("diff_ids")] public List<string>? DiffIds { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(List<DockerManifestEntry>))]
[JsonSerializable(typeof(OciManifestOrIndex))]
[JsonSerializable(typeof(ImageConfigDocument))]
internal sealed partial class ArchiveJsonContext : JsonSerializerContext
{
}
