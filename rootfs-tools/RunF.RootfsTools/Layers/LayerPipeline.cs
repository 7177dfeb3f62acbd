using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using RunF.RootfsTools.Archive;

namespace RunF.RootfsTools.Layers;

/// <summary>
/// Decompresses and hashes layers on a background thread, ahead of the thread that applies
/// them: while layer N is written to disk, layer N+1 is already being inflated into a bounded
/// queue of buffers. The applier reads each layer as a Stream (<see cref="Next"/>); the diff
/// id (sha256 of the uncompressed tar) is known when that stream ends. The total uncompressed
/// size is capped, so a decompression bomb stops at --max-size instead of filling memory or disk.
/// </summary>
internal sealed class LayerPipeline : IDisposable
{
    private const int ChunkSize = 256 << 10;
    private const int QueuedChunks = 64;

    private readonly BlockingCollection<Chunk> _queue = new(QueuedChunks);
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;
    private readonly IReadOnlyList<LayerInfo> _layers;
    private readonly long _maxBytes;
    private long _totalBytes;
    private int _next;

    private readonly record struct Chunk(byte[]? Buffer, int Length, string? Digest, Exception? Error);

    public LayerPipeline(OuterArchive archive, IReadOnlyList<LayerInfo> layers, long maxBytes, CancellationToken ct)
    {
        _layers = layers;
        _maxBytes = maxBytes;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _producer = Task.Factory.StartNew(() => Produce(archive), _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Bytes of uncompressed tar produced so far (all layers).</summary>
    public long UncompressedBytes => Interlocked.Read(ref _totalBytes);

    private void Produce(OuterArchive archive)
    {
        var token = _stop.Token;
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var tar = Compression.Open(archive.OpenMember(layer.Member)))
                {
                    while (true)
                    {
                        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                        int n = tar.ReadAtLeast(buffer.AsSpan(0, ChunkSize), ChunkSize, throwOnEndOfStream: false);
                        if (n == 0)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            break;
                        }
                        hash.AppendData(buffer, 0, n);
                        if (Interlocked.Add(ref _totalBytes, n) > _maxBytes)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            throw new RootfsException($"layer {i + 1} ({layer.Name}) expands the image beyond the --max-size limit of {_maxBytes} bytes; raise --max-size if the image is trusted");
                        }
                        _queue.Add(new Chunk(buffer, n, null, null), token);
                    }
                }
                _queue.Add(new Chunk(null, 0, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()), null), token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                var error = e is RootfsException ? e : new RootfsException($"layer {i + 1} ({layer.Name}) is corrupt or truncated: {Describe(e)}", e);
                try
                {
                    _queue.Add(new Chunk(null, 0, null, error), token);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            }
        }
    }

    internal static string Describe(Exception e) => e.Message.ToLowerInvariant().TrimEnd('.');

    /// <summary>The next layer's uncompressed tar. Read it to the end before calling Next again.</summary>
    public LayerStream Next()
    {
        if (_next >= _layers.Count)
        {
            throw new InvalidOperationException("no more layers");
        }
        _next++;
        return new LayerStream(this);
    }

    private Chunk Take() => _queue.Take(_stop.Token);

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
        }
        while (_queue.TryTake(out var chunk))
        {
            if (chunk.Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
        }
        _queue.Dispose();
        _stop.Dispose();
    }

    /// <summary>One layer's tar bytes as they arrive from the pipeline.</summary>
    internal sealed class LayerStream : ForwardOnlyStream
    {
        private readonly LayerPipeline _pipeline;
        private byte[]? _buffer;
        private int _offset;
        private int _length;

        public LayerStream(LayerPipeline pipeline)
        {
            _pipeline = pipeline;
        }

        /// <summary>sha256 of the whole uncompressed layer; set once the stream has been read to its end.</summary>
        public string? Digest { get; private set; }

        /// <summary>Whether the layer has no (more) bytes; a zero-length blob is an empty layer, not a broken tar.</summary>
        public bool AtEnd()
        {
            FillIfEmpty();
            return _offset == _length;
        }

        public override int Read(Span<byte> destination)
        {
            if (!FillIfEmpty())
            {
                return 0;
            }
            int n = Math.Min(destination.Length, _length - _offset);
            _buffer.AsSpan(_offset, n).CopyTo(destination);
            _offset += n;
            return n;
        }

        // Makes the current chunk non-empty; false at the end of the layer.
        private bool FillIfEmpty()
        {
            while (_offset == _length)
            {
                if (Digest is not null)
                {
                    return false;
                }
                if (_buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = null;
                }
                var chunk = _pipeline.Take();
                if (chunk.Error is not null)
                {
                    throw chunk.Error;
                }
                if (chunk.Digest is not null)
                {
                    Digest = chunk.Digest;
                    _offset = _length = 0;
                    return false;
                }
                _buffer = chunk.Buffer;
                _offset = 0;
                _length = chunk.Length;
            }
            return true;
        }

        /// <summary>Reads what the tar reader left (end-of-archive blocks, padding) so the digest covers everything.</summary>
        public string Drain()
        {
            var scratch = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                while (Read(scratch) > 0)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
            return Digest!;
        }

        protected override void Dispose(bool disposing)
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
            base.Dispose(disposing);
        }
    }
}
