using Microsoft.AspNetCore.Http;
using RunF.Runtime.Spec;
using RunF.Serve.IO;

namespace RunF.Serve.Http;

/// <summary>Why a request's body did not arrive whole: the status to answer with and one line.</summary>
public sealed record BodyFailure(int Status, string Message);

/// <summary>
/// A request's body on its way to the function's stdin, checked: a body that ends before its
/// Content-Length (or before the end of its chunks), breaks off, or sends nothing for
/// read_timeout is a failure. Failed is cancelled at once, for the invoker to kill the function,
/// and the read never returns: stdin is never closed, so the function cannot take the part that
/// arrived for the whole body. The read ends when the invoker stops the copy.
/// </summary>
public sealed class CheckedRequestBody(Stream body, long? contentLength, TimeSpan readTimeout) : ReadOnlyStream
{
    private readonly CancellationTokenSource _failed = new();
    private long _received;

    /// <summary>Null while the body is whole so far.</summary>
    public BodyFailure? Failure { get; private set; }

    /// <summary>Cancelled when the body fails.</summary>
    public CancellationToken Failed => _failed.Token;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Failure is null && await ReadCheckedAsync(buffer, cancellationToken).ConfigureAwait(false) is { } n)
        {
            return n;
        }
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        throw new OperationCanceledException(cancellationToken); // not reached: the delay ends only by cancellation
    }

    /// <summary>The count read, or null when the body failed.</summary>
    private async Task<int?> ReadCheckedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(readTimeout);
        int n;
        try
        {
            n = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Either read_timeout passed, or the connection was aborted under the read.
            return Fail(idle.IsCancellationRequested ? StatusCodes.Status408RequestTimeout : StatusCodes.Status400BadRequest,
                idle.IsCancellationRequested ? $"the request body stopped arriving: nothing for {Duration.Format(readTimeout)} (read_timeout)" : Incomplete());
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's: the connection closed inside the body (400), or it arrived slower than its minimum data rate (408).
            return Fail(e.StatusCode, e.StatusCode == StatusCodes.Status408RequestTimeout ? "the request body arrived too slowly" : Incomplete());
        }
        catch (IOException)
        {
            return Fail(StatusCodes.Status400BadRequest, Incomplete());
        }
        if (n == 0 && contentLength is { } length && _received < length)
        {
            return Fail(StatusCodes.Status400BadRequest, Incomplete());
        }
        _received += n;
        return n;
    }

    private string Incomplete() => contentLength is { } length
        ? $"the request body is incomplete: {_received} of {length} bytes arrived"
        : $"the request body is incomplete: it broke off after {_received} bytes";

    private int? Fail(int status, string message)
    {
        Failure = new BodyFailure(status, message);
        _failed.Cancel();
        return null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _failed.Dispose();
        }
        base.Dispose(disposing);
    }
}
