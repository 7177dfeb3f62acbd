using System.Buffers;
using System.Text;
using RunF.Interop;

namespace RunF.Serve.IO;

/// <summary>
/// A function's output held until it exits (serializing and OpenWhisk modes), up to a limit.
/// A write past the limit fails, which makes the invoker kill the function and discard the
/// rest. The bytes live in an anonymous mapping of the limit's size, unmapped on Dispose: a page
/// is resident only once written, and it is the kernel's again at the end of the request. In
/// managed arrays the garbage of successive large responses piled up until a full collection,
/// several times the limit.
/// </summary>
public sealed class ResponseBuffer(long limit) : WriteOnlyStream
{
    private const int SendChunk = 64 * 1024;

    private AnonymousMapping? _mapping;

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
        _mapping ??= AnonymousMapping.Reserve(limit) ?? throw new IOException($"cannot reserve {limit} bytes of address space for the function's output");
        CopyIn(buffer.Span);
        Written += buffer.Length;
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends everything written, in order.</summary>
    public async Task SendAsync(Stream destination, CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(SendChunk);
        try
        {
            for (var sent = 0L; sent < Written; sent += SendChunk)
            {
                var n = (int)Math.Min(SendChunk, Written - sent);
                CopyOut(sent, chunk.AsSpan(0, n));
                await destination.WriteAsync(chunk.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Everything written, as UTF-8 text.</summary>
    public unsafe string ToUtf8String()
    {
        if (Written == 0)
        {
            return "";
        }
        var mapping = Hold();
        try
        {
            return Encoding.UTF8.GetString(mapping.Pointer, checked((int)Written));
        }
        finally
        {
            mapping.DangerousRelease();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _mapping?.Dispose();
        }
        base.Dispose(disposing);
    }

    private unsafe void CopyIn(ReadOnlySpan<byte> data)
    {
        var mapping = Hold();
        try
        {
            data.CopyTo(new Span<byte>(mapping.Pointer + Written, data.Length));
        }
        finally
        {
            mapping.DangerousRelease();
        }
    }

    private unsafe void CopyOut(long offset, Span<byte> into)
    {
        var mapping = Hold();
        try
        {
            new ReadOnlySpan<byte>(mapping.Pointer + offset, into.Length).CopyTo(into);
        }
        finally
        {
            mapping.DangerousRelease();
        }
    }

    /// <summary>The mapping, kept mapped until DangerousRelease: after Dispose this throws ObjectDisposedException instead of letting freed memory be touched.</summary>
    private AnonymousMapping Hold()
    {
        var mapping = _mapping!;
        var added = false;
        mapping.DangerousAddRef(ref added);
        return mapping;
    }
}
