using RunF.Serve.IO;

namespace RunF.Serve.Baselines;

/// <summary>A write-only view of a stream that lets one writer at a time through (stdout and stderr combined).</summary>
public sealed class SerializedWriteStream(Stream inner) : WriteOnlyStream
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
