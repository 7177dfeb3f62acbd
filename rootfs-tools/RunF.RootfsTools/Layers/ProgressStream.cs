namespace RunF.RootfsTools.Layers;

/// <summary>Passes reads through and calls report every 4 MiB, so progress costs nothing per entry.</summary>
internal sealed class ProgressStream(Stream inner, Action report) : Stream
{
    private const long Interval = 4 << 20;
    private long _sinceReport;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

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

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush()
    {
    }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
