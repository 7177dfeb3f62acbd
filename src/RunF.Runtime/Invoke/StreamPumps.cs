using System.Buffers;

namespace RunF.Runtime.Invoke;

/// <summary>The copy loops between an invocation's streams and the function's pipes (any runner's).</summary>
public static class StreamPumps
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Request body to stdin, then EOF. A function that exits without reading it all closes the
    /// pipe (EPIPE), and one that is done stops the copy: neither is an error of the call.
    /// </summary>
    public static async Task InputAsync(Stream input, Stream stdin, CancellationToken done)
    {
        try
        {
            await input.CopyToAsync(stdin, BufferSize, done);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync();
            }
            catch (IOException)
            {
                // EPIPE on a buffered stream's final flush: the same case.
            }
        }
    }

    /// <summary>
    /// Stdout to the caller as it comes. When the caller goes away (a write fails), onWriteFailed
    /// kills the function and the rest is drained, so that it never blocks on a full pipe.
    /// Returns the number of bytes delivered.
    /// </summary>
    public static async Task<long> OutputAsync(Stream stdout, Stream output, Action onWriteFailed)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long delivered = 0;
        var failed = false;
        try
        {
            int n;
            while ((n = await stdout.ReadAsync(buffer)) > 0)
            {
                if (failed)
                {
                    continue;
                }
                try
                {
                    await output.WriteAsync(buffer.AsMemory(0, n));
                    delivered += n;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
                {
                    failed = true;
                    onWriteFailed();
                }
            }
            return delivered;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
