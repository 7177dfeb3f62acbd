namespace RunF.RootfsTools;

/// <summary>What `runf rootfs extract` was asked to do.</summary>
public sealed record ExtractOptions(string Archive, string Output)
{
    /// <summary>16 GiB of uncompressed layer data: far above real images, far below a bomb that fills a disk.</summary>
    public const long DefaultMaxSize = 16L << 30;

    /// <summary>Entries across all layers; large distributions have a few hundred thousand.</summary>
    public const long DefaultMaxFiles = 2_000_000;

    /// <summary>name[:tag], id or id prefix, or @N; null picks the only image.</summary>
    public string? Image { get; init; }
    /// <summary>The platform to take from an image index (--platform); null is the host's.</summary>
    public Platform? Platform { get; init; }
    public bool Force { get; init; }
    public long MaxSize { get; init; } = DefaultMaxSize;
    public long MaxFiles { get; init; } = DefaultMaxFiles;

    /// <summary>Called with a one-line warning (an image for another architecture) before the layers are applied.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Called from the extracting thread at each layer start and every few megabytes.</summary>
    public Action<ExtractProgress>? Progress { get; init; }
}

/// <summary>A progress report: layer Layer of Layers, uncompressed bytes consumed so far.</summary>
public readonly record struct ExtractProgress(int Layer, int Layers, long Bytes, long TotalCompressedBytes);
