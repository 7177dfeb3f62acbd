namespace RunF.RootfsTools.Archive;

/// <summary>One image found in an archive: what `rootfs ls` shows and `rootfs extract` applies.</summary>
public sealed record ImageInfo(
    int Index,
    IReadOnlyList<string> Tags,
    string Id,
    IReadOnlyList<LayerInfo> Layers)
{
    /// <summary>Bytes of the layer blobs as stored in the archive (compressed or not).</summary>
    public long Size => Layers.Sum(l => l.Size);

    public string ShortId => Id.Length > 12 ? Id[..12] : Id;

    /// <summary>What its config says it runs on; null when the config names no architecture.</summary>
    public Platform? Platform { get; init; }

    /// <summary>The name the summary and the warnings use: the first tag, else the short id.</summary>
    public string DisplayName => Tags.Count > 0 ? Tags[0] : ShortId;

    internal byte[] ConfigBytes { get; init; } = [];
}

/// <summary>A layer blob in the archive; Name is the member name, used in every error about it.</summary>
public sealed record LayerInfo(string Name, long Size)
{
    internal OuterArchive.Member Member { get; init; } = null!;
}
