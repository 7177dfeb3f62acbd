using Microsoft.AspNetCore.Http;
using RunF.Serve.IO;

namespace RunF.Serve.Http;

/// <summary>
/// The function's stdout in streaming mode: the first byte commits status 200 and the headers
/// (onCommit sets them), then every write goes out as it comes.
/// </summary>
public sealed class FirstByteResponseStream(HttpResponse response, Action onCommit) : WriteOnlyStream
{
    public bool Committed { get; private set; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }
        if (!Committed)
        {
            Committed = true;
            response.StatusCode = StatusCodes.Status200OK;
            onCommit();
        }
        await response.Body.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }
}
