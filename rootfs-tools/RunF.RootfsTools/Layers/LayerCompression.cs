using System.IO.Compression;

namespace RunF.RootfsTools.Layers;

/// <summary>
/// Layer blobs are detected by magic bytes, not media types: docker save never records the
/// compression, and some producers label layers wrongly.
/// </summary>
internal static class LayerCompression
{
    public static string Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return "gzip";
        }
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
        {
            return "zstd";
        }
        return "tar";
    }

    /// <summary>The uncompressed tar stream of a blob (blob must be seekable; it is rewound after peeking).</summary>
    public static Stream Open(Stream blob)
    {
        Span<byte> head = stackalloc byte[4];
        int n = blob.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        blob.Position = 0;
        return Detect(head[..n]) switch
        {
            "gzip" => new GZipStream(blob, CompressionMode.Decompress),
            "zstd" => new ZstdSharp.DecompressionStream(blob),
            _ => blob,
        };
    }
}
