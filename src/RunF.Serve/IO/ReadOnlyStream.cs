namespace RunF.Serve.IO;

/// <summary>The Stream members a read-only wrapper does not use, once; subclasses read asynchronously.</summary>
public abstract class ReadOnlyStream : OneWayStream
{
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanWrite => false;
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
