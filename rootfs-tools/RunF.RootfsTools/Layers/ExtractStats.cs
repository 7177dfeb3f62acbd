namespace RunF.RootfsTools.Layers;

/// <summary>Counts for the summary line; skipped and dropped items are counted, never silent.</summary>
public sealed class ExtractStats
{
    public int Layers { get; internal set; }
    public long Entries { get; internal set; }
    public long Files { get; internal set; }
    public long Directories { get; internal set; }
    public long Symlinks { get; internal set; }
    public long Hardlinks { get; internal set; }
    public long Whiteouts { get; internal set; }
    public long FileBytes { get; internal set; }
    public long SkippedDevices { get; internal set; }
    public long DroppedXattrs { get; internal set; }
}
