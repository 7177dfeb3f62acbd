using System.IO.Compression;
using ICSharpCode.SharpZipLib.BZip2;
using SharpCompress.Compressors.Xz;

namespace RunF.RootfsTools;

/// <summary>
/// The compressions `docker load` reads, for the outer archive and for layer blobs alike:
/// gzip, zstd, bzip2 and xz. Detected by magic bytes, not names or media types: docker save
/// never records the compression, and some producers label layers wrongly.
/// </summary>
internal static class Compression
{
    /// <summary>Bytes <see cref="Detect"/> needs to tell them apart.</summary>
    public const int MagicLength = 10;

    public static string? Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
        {
            return "gzip";
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
        {
            return "zstd";
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
        {
            return "xz";
        }
        // "BZh1".."BZh9" then a block (pi) or the end of the stream (sqrt(pi)): a tar whose first
        // member is named "BZh9..." is not mistaken for one.
        if (head.Length >= MagicLength && head.StartsWith("BZh"u8) && head[3] is >= (byte)'1' and <= (byte)'9'
            && (head[4..].StartsWith((ReadOnlySpan<byte>)[0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) || head[4..].StartsWith((ReadOnlySpan<byte>)[0x17, 0x72, 0x45, 0x38, 0x50, 0x90])))
        {
            return "bzip2";
        }
        return null;
    }

    /// <summary>The uncompressed stream of a seekable blob (rewound after peeking); the blob itself when it is not compressed.</summary>
    public static Stream Open(Stream blob) => Decompress(blob, Peek(blob));

    /// <summary>The compression of a seekable blob, which is rewound: null if it is not compressed.</summary>
    public static string? Peek(Stream blob)
    {
        Span<byte> head = stackalloc byte[MagicLength];
        int n = blob.ReadAtLeast(head, MagicLength, throwOnEndOfStream: false);
        blob.Position = 0;
        return Detect(head[..n]);
    }

    /// <summary>The decompressing stream for kind (bzip2 reads its first block here already).</summary>
    public static Stream Decompress(Stream blob, string? kind) => kind switch
    {
        "gzip" => new GZipStream(blob, CompressionMode.Decompress),
        "zstd" => new ZstdSharp.DecompressionStream(blob),
        // Concatenated streams are one file, as bzip2 -d and pbzip2 read them.
        "bzip2" => new BZip2InputStream(blob) { IsStreamOwner = true },
        "xz" => new XZStream(blob),
        _ => blob,
    };
}
