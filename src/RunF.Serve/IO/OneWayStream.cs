namespace RunF.Serve.IO;

/// <summary>What neither a read-only nor a write-only wrapper has: seeking, a length, a position.</summary>
public abstract class OneWayStream : Stream
{
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Flush() { }
}
