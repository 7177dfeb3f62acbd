using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace RunF.RootfsTools.Tests.Support;

/// <summary>
/// Hand-written layers for the cases no honest tool produces (attacks, malformed input),
/// packed as a docker save archive with correct diff_ids unless a test says otherwise.
/// </summary>
public sealed class CraftedArchive
{
    private readonly List<(byte[] Blob, string DiffId)> _layers = [];

    /// <summary>
    /// Adds a layer that write fills. A gzip layer is compressed as it is written and its
    /// diff_id hashed on the way, so a layer of hundreds of megabytes of zeros costs little memory.
    /// </summary>
    public CraftedArchive Layer(Action<TarWriter> write, bool gzip = false)
    {
        var blob = new MemoryStream();
        using var sha = SHA256.Create();
        // MemoryStream.ToArray still works once the stream is closed.
        using (Stream sink = gzip ? new GZipStream(blob, CompressionLevel.Fastest, leaveOpen: true) : blob)
        using (var hashing = new CryptoStream(sink, sha, CryptoStreamMode.Write, leaveOpen: true))
        {
            using (var w = new TarWriter(hashing, TarEntryFormat.Pax, leaveOpen: true))
            {
                write(w);
            }
            hashing.FlushFinalBlock();
        }
        _layers.Add((blob.ToArray(), "sha256:" + Convert.ToHexStringLower(sha.Hash!)));
        return this;
    }

    public CraftedArchive RawLayer(byte[] blob)
    {
        _layers.Add((blob, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob))));
        return this;
    }

    /// <summary>
    /// Writes the archive; layerNames and diffIds override what is computed, for malformed cases.
    /// The image is for platform (the host's unless said otherwise).
    /// </summary>
    public string Write(string path, string[]? layerNames = null, string[]? diffIds = null, string? configJson = null, Platform? platform = null)
    {
        platform ??= Platform.Host;
        using var w = new TarWriter(File.Create(path), TarEntryFormat.Pax, leaveOpen: false);
        var names = new JsonArray();
        var ids = new JsonArray();
        for (int i = 0; i < _layers.Count; i++)
        {
            var (blob, diffId) = _layers[i];
            string name = $"layer{i}/layer.tar";
            ArchiveFormats.Add(w, name, blob);
            names.Add(layerNames?[i] ?? name);
            ids.Add(diffIds?[i] ?? diffId);
        }
        string config = configJson ?? new JsonObject
        {
            ["architecture"] = platform.Architecture,
            ["os"] = platform.Os,
            ["variant"] = platform.Variant,
            ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/bin"), ["Cmd"] = new JsonArray("/bin/sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = ids },
        }.ToJsonString();
        ArchiveFormats.Add(w, "config.json", Encoding.UTF8.GetBytes(config));
        ArchiveFormats.Add(w, "manifest.json", Encoding.UTF8.GetBytes(new JsonArray(new JsonObject
        {
            ["Config"] = "config.json",
            ["RepoTags"] = new JsonArray("crafted:latest"),
            ["Layers"] = names,
        }).ToJsonString()));
        return path;
    }

    public static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }
        return ms.ToArray();
    }

    public static void FileEntry(TarWriter w, string name, string content = "x", int mode = 0x1A4) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)mode });

    public static void DirEntry(TarWriter w, string name, int mode = 0x1ED) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)mode });

    public static void SymlinkEntry(TarWriter w, string name, string target) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1FF });

    public static void HardLinkEntry(TarWriter w, string name, string target) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, Mode = (UnixFileMode)0x1A4 });
}
