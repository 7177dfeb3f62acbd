namespace RunF.RootfsTools.Layers;

/// <summary>Passes reads through and calls report every 4 MiB, so progress costs nothing per entry.</summary>
internal sealed class ProgressStream(Stream inner, Action report) : ForwardOnlyStream
{
    private const long Interval = 4 << 20;
    private long _sinceReport;

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _sinceReport += n;
        if (_sinceReport >= Interval)
        {
            _sinceReport = 0;
            report();
        }
        return n;
    }
}
