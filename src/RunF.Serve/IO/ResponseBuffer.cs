namespace RunF.Serve.IO;

/// <summary>
/// A function's output held until it exits (serializing and OpenWhisk modes), up to a limit.
/// A write past the limit fails, which makes the invoker kill the function and discard the
/// rest, so the agent's memory stays bounded by the limit whatever the function writes. Held in
/// chunks: no doubling copy of one large array, and each chunk stays off the large object heap.
/// </summary>
public sealed class ResponseBuffer(long limit) : WriteOnlyStream
{
    private const int ChunkSize = 64 * 1024;

    private readonly List<byte[]> _chunks = [];

    public long Limit => limit;

    public long Written { get; private set; }

    /// <summary>The function wrote more than the limit (and was killed for it).</summary>
    public bool Overflowed { get; private set; }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Overflowed || Written + buffer.Length > limit)
        {
            Overflowed = true;
            throw new IOException($"the function's output exceeds {limit} bytes");
        }
        var data = buffer.Span;
        while (!data.IsEmpty)
        {
            var offset = (int)(Written % ChunkSize);
            if (offset == 0)
            {
                _chunks.Add(new byte[ChunkSize]);
            }
            var n = Math.Min(data.Length, ChunkSize - offset);
            data[..n].CopyTo(_chunks[^1].AsSpan(offset));
            data = data[n..];
            Written += n;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends everything written, in order.</summary>
    public async Task SendAsync(Stream destination, CancellationToken cancellationToken)
    {
        var left = Written;
        foreach (var chunk in _chunks)
        {
            var n = (int)Math.Min(left, ChunkSize);
            await destination.WriteAsync(chunk.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            left -= n;
        }
    }

    public byte[] ToArray()
    {
        var all = new byte[Written];
        var at = 0L;
        foreach (var chunk in _chunks)
        {
            var n = (int)Math.Min(Written - at, ChunkSize);
            chunk.AsSpan(0, n).CopyTo(all.AsSpan((int)at));
            at += n;
        }
        return all;
    }
}
