using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace RunF.RootfsTools.Tests.Support;

/// <summary>An image read from an OCI layout that umoci wrote: config and layer blobs as they are.</summary>
public sealed record LayoutImage(string Tag, byte[] Config, byte[] Manifest, IReadOnlyList<(string MediaType, byte[] Blob)> Layers)
{
    public string ConfigHex => Hex(Config);

    public static LayoutImage Read(string layout, string tag)
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        string digest = index["manifests"]!.AsArray()
            .First(m => (string?)m!["annotations"]?["org.opencontainers.image.ref.name"] == tag)!["digest"]!.GetValue<string>();
        byte[] manifestBytes = Blob(layout, digest);
        var manifest = JsonNode.Parse(manifestBytes)!;
        byte[] config = Blob(layout, manifest["config"]!["digest"]!.GetValue<string>());
        var layers = manifest["layers"]!.AsArray()
            .Select(l => (l!["mediaType"]!.GetValue<string>(), Blob(layout, l["digest"]!.GetValue<string>())))
            .ToList();
        return new LayoutImage(tag, config, manifestBytes, layers);
    }

    private static byte[] Blob(string layout, string digest) => File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]));

    public static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] Uncompress(byte[] blob)
    {
        using var input = new MemoryStream(blob);
        using Stream s = blob.Length > 1 && blob[0] == 0x1f && blob[1] == 0x8b ? new GZipStream(input, CompressionMode.Decompress)
            : blob.Length > 3 && blob[0] == 0x28 && blob[1] == 0xb5 ? new ZstdSharp.DecompressionStream(input)
            : input;
        using var output = new MemoryStream();
        s.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>
/// Faithful generators of the archive layouts that no tool on this machine writes, built from
/// layers that umoci made. Each mirrors what its producer writes (member names, which JSON
/// files exist, compressed or not), as documented in moby, containerd and ggcr sources.
/// </summary>
public static class ArchiveFormats
{
    /// <summary>docker save before Docker 25: &lt;id&gt;/layer.tar real files, &lt;hex&gt;.json config, repositories.</summary>
    public static void LegacyDockerSave(string path, params (LayoutImage Image, string RepoTag)[] images)
    {
        using var w = Writer(path);
        var manifest = new JsonArray();
        var repositories = new JsonObject();
        string? parent = null;
        foreach (var (image, repoTag) in images)
        {
            var layerPaths = new JsonArray();
            foreach (var (_, blob) in image.Layers)
            {
                byte[] tar = LayoutImage.Uncompress(blob);
                // v1 layer ids: a hash chained over the parent, as docker save computed them.
                string id = LayoutImage.Hex(Encoding.UTF8.GetBytes((parent ?? "") + LayoutImage.Hex(tar) + repoTag));
                Dir(w, id + "/");
                Add(w, id + "/VERSION", Encoding.UTF8.GetBytes("1.0"));
                Add(w, id + "/json", Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\"" + (parent is null ? "" : $",\"parent\":\"{parent}\"") + "}"));
                Add(w, id + "/layer.tar", tar);
                layerPaths.Add(id + "/layer.tar");
                parent = id;
            }
            Add(w, image.ConfigHex + ".json", image.Config);
            manifest.Add(new JsonObject { ["Config"] = image.ConfigHex + ".json", ["RepoTags"] = new JsonArray(repoTag), ["Layers"] = layerPaths });
            int colon = repoTag.LastIndexOf(':');
            repositories[repoTag[..colon]] = new JsonObject { [repoTag[(colon + 1)..]] = parent };
        }
        Add(w, "repositories", Encoding.UTF8.GetBytes(repositories.ToJsonString()));
        Add(w, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    /// <summary>
    /// Docker 25+: an OCI layout (uncompressed layer blobs under blobs/sha256, index.json,
    /// oci-layout) plus manifest.json pointing into blobs/. brokenIndex writes an index.json
    /// that names a missing manifest, as some Docker 25 releases did; manifest.json must win.
    /// </summary>
    public static void Docker25(string path, bool brokenIndex, params (LayoutImage Image, string RepoTag)[] images)
    {
        using var w = Writer(path);
        var manifest = new JsonArray();
        var index = new JsonArray();
        var written = new HashSet<string>();
        Dir(w, "blobs/");
        Dir(w, "blobs/sha256/");
        foreach (var (image, repoTag) in images)
        {
            var layerPaths = new JsonArray();
            var layerDescriptors = new JsonArray();
            foreach (var (_, blob) in image.Layers)
            {
                byte[] tar = LayoutImage.Uncompress(blob);
                string hex = LayoutImage.Hex(tar);
                if (written.Add(hex))
                {
                    Add(w, "blobs/sha256/" + hex, tar);
                }
                layerPaths.Add("blobs/sha256/" + hex);
                layerDescriptors.Add(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = "sha256:" + hex, ["size"] = tar.Length });
            }
            Add(w, "blobs/sha256/" + image.ConfigHex, image.Config);
            byte[] ociManifest = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = "sha256:" + image.ConfigHex, ["size"] = image.Config.Length },
                ["layers"] = layerDescriptors,
            }.ToJsonString());
            string manifestHex = brokenIndex ? new string('0', 64) : LayoutImage.Hex(ociManifest);
            Add(w, "blobs/sha256/" + LayoutImage.Hex(ociManifest), ociManifest);
            index.Add(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = "sha256:" + manifestHex,
                ["size"] = ociManifest.Length,
                ["annotations"] = new JsonObject { ["io.containerd.image.name"] = "docker.io/" + repoTag, ["org.opencontainers.image.ref.name"] = repoTag[(repoTag.LastIndexOf(':') + 1)..] },
            });
            manifest.Add(new JsonObject { ["Config"] = "blobs/sha256/" + image.ConfigHex, ["RepoTags"] = new JsonArray(repoTag), ["Layers"] = layerPaths });
        }
        Add(w, "index.json", Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["manifests"] = index }.ToJsonString()));
        Add(w, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        Add(w, "oci-layout", Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}"));
    }

    /// <summary>
    /// `ctr export` of one platform of a multi-platform image: compressed blobs as the registry
    /// served them, index.json → (nested) image index → manifest; the index also lists an arm
    /// variant whose blobs were not exported. No manifest.json.
    /// </summary>
    public static void ContainerdExport(string path, LayoutImage image, string name)
    {
        using var w = Writer(path);
        Dir(w, "blobs/");
        Dir(w, "blobs/sha256/");
        foreach (var (_, blob) in image.Layers)
        {
            Add(w, "blobs/sha256/" + LayoutImage.Hex(blob), blob);
        }
        Add(w, "blobs/sha256/" + image.ConfigHex, image.Config);
        Add(w, "blobs/sha256/" + LayoutImage.Hex(image.Manifest), image.Manifest);
        byte[] nested = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(
                new JsonObject
                {
                    ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                    ["digest"] = "sha256:" + new string('a', 64),
                    ["size"] = 500,
                    ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = "s390x" },
                },
                new JsonObject
                {
                    ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                    ["digest"] = "sha256:" + LayoutImage.Hex(image.Manifest),
                    ["size"] = image.Manifest.Length,
                    ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64" },
                }),
        }.ToJsonString());
        Add(w, "blobs/sha256/" + LayoutImage.Hex(nested), nested);
        Add(w, "index.json", Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                ["digest"] = "sha256:" + LayoutImage.Hex(nested),
                ["size"] = nested.Length,
                ["annotations"] = new JsonObject { ["io.containerd.image.name"] = name, ["org.opencontainers.image.ref.name"] = name[(name.LastIndexOf(':') + 1)..] },
            }),
        }.ToJsonString()));
        Add(w, "oci-layout", Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}"));
    }

    /// <summary>go-containerregistry tarball.Write (kaniko --tar-path): manifest.json only, config named "sha256:HEX", layers "HEX.tar.gz".</summary>
    public static void Ggcr(string path, LayoutImage image, string repoTag)
    {
        using var w = Writer(path);
        string configName = "sha256:" + image.ConfigHex;
        Add(w, configName, image.Config);
        var layers = new JsonArray();
        foreach (var (_, blob) in image.Layers)
        {
            string name = LayoutImage.Hex(blob) + ".tar.gz";
            Add(w, name, blob);
            layers.Add(name);
        }
        Add(w, "manifest.json", Encoding.UTF8.GetBytes(new JsonArray(new JsonObject { ["Config"] = configName, ["RepoTags"] = new JsonArray(repoTag), ["Layers"] = layers }).ToJsonString()));
    }

    /// <summary>
    /// `skopeo copy --all docker://IMAGE oci:DIR:TAG` of a multi-platform image: an OCI layout
    /// directory whose index.json names an image index (tagged) with one manifest per
    /// architecture, every blob present. Each architecture's config is image's with its
    /// "architecture" replaced; the layers are shared. Returns each architecture's config id.
    /// </summary>
    public static Dictionary<string, string> MultiPlatformLayout(string dir, LayoutImage image, string tag, params string[] architectures)
    {
        string blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string Blob(byte[] data)
        {
            string hex = LayoutImage.Hex(data);
            File.WriteAllBytes(Path.Combine(blobs, hex), data);
            return "sha256:" + hex;
        }
        var layerDescriptors = new JsonArray();
        foreach (var (mediaType, blob) in image.Layers)
        {
            layerDescriptors.Add(new JsonObject { ["mediaType"] = mediaType, ["digest"] = Blob(blob), ["size"] = blob.Length });
        }
        var ids = new Dictionary<string, string>();
        var manifests = new JsonArray();
        foreach (var arch in architectures)
        {
            var configNode = JsonNode.Parse(image.Config)!;
            configNode["architecture"] = arch;
            byte[] config = Encoding.UTF8.GetBytes(configNode.ToJsonString());
            ids[arch] = LayoutImage.Hex(config);
            byte[] manifest = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = Blob(config), ["size"] = config.Length },
                ["layers"] = layerDescriptors.DeepClone(),
            }.ToJsonString());
            manifests.Add(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = Blob(manifest),
                ["size"] = manifest.Length,
                ["platform"] = new JsonObject { ["architecture"] = arch, ["os"] = "linux" },
            });
        }
        byte[] index = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = manifests,
        }.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                ["digest"] = Blob(index),
                ["size"] = index.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        }.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return ids;
    }

    public static void Gzip(string source, string destination)
    {
        using var input = File.OpenRead(source);
        using var output = new GZipStream(File.Create(destination), CompressionLevel.Fastest);
        input.CopyTo(output);
    }

    private static TarWriter Writer(string path) => new(File.Create(path), TarEntryFormat.Pax, leaveOpen: false);

    private static void Dir(TarWriter w, string name) => w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED });

    public static void Add(TarWriter w, string name, byte[] data) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), Mode = (UnixFileMode)0x1A4 });
}
