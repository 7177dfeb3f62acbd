using Microsoft.AspNetCore.Http;
using RunF.Serve.Http;
using RunF.Serve.IO;

namespace RunF.Serve.Tests;

public sealed class CheckedRequestBodyTests
{
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_whole_body_is_copied_as_it_is()
    {
        using var body = new CheckedRequestBody(new MemoryStream("hello"u8.ToArray()), 5, LongWait);
        using var stdin = new MemoryStream();
        await body.CopyToAsync(stdin);
        Assert.Equal("hello"u8.ToArray(), stdin.ToArray());
        Assert.Null(body.Failure);
        Assert.False(body.Failed.IsCancellationRequested);
    }

    [Fact]
    public async Task A_body_that_ends_before_its_content_length_fails_and_never_reaches_eof()
    {
        using var body = new CheckedRequestBody(new MemoryStream("abcdef"u8.ToArray()), 100_000, LongWait);
        await AssertFailsAndHoldsAsync(body, StatusCodes.Status400BadRequest, "6 of 100000 bytes");
    }

    [Theory]
    [InlineData(StatusCodes.Status400BadRequest, "incomplete")]
    [InlineData(StatusCodes.Status408RequestTimeout, "too slowly")]
    public async Task Kestrels_rejection_of_a_body_is_a_failure_with_its_status(int status, string message)
    {
        using var body = new CheckedRequestBody(new FailingStream(new BadHttpRequestException("rejected", status)), 100, LongWait);
        await AssertFailsAndHoldsAsync(body, status, message);
    }

    [Fact]
    public async Task A_body_that_sends_nothing_for_the_read_timeout_is_408()
    {
        using var body = new CheckedRequestBody(new FailingStream(null), null, TimeSpan.FromMilliseconds(200));
        await AssertFailsAndHoldsAsync(body, StatusCodes.Status408RequestTimeout, "nothing for 0.2s (read_timeout)");
    }

    [Fact]
    public async Task Stopping_the_copy_is_not_a_failure()
    {
        using var body = new CheckedRequestBody(new FailingStream(null), null, LongWait);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => body.CopyToAsync(Stream.Null, stop.Token));
        Assert.Null(body.Failure);
    }

    /// <summary>The failure is recorded and signalled at once, and the copy to stdin does not end until it is stopped.</summary>
    private static async Task AssertFailsAndHoldsAsync(CheckedRequestBody body, int status, string message)
    {
        using var stop = new CancellationTokenSource();
        var copy = body.CopyToAsync(Stream.Null, stop.Token);
        await Task.Delay(Timeout.Infinite, body.Failed).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(status, body.Failure!.Status);
        Assert.Contains(message, body.Failure.Message);
        await Task.Delay(300);
        Assert.False(copy.IsCompleted, "the copy ended: stdin would have reached EOF");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => copy);
    }

    /// <summary>A body stream whose read throws the given exception, or waits (until cancelled) when there is none.</summary>
    private sealed class FailingStream(Exception? failure) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (failure is not null)
            {
                throw failure;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }
}
