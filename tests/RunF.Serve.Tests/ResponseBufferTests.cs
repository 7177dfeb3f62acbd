using RunF.Serve.IO;

namespace RunF.Serve.Tests;

public sealed class ResponseBufferTests
{
    [Fact]
    public async Task It_holds_up_to_its_limit_byte_exact_across_chunks()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        var buffer = new ResponseBuffer(data.Length);
        foreach (var piece in data.Chunk(30_001))
        {
            await buffer.WriteAsync(piece);
        }
        Assert.False(buffer.Overflowed);
        Assert.Equal(data.Length, buffer.Written);
        Assert.Equal(data, buffer.ToArray());
        using var sent = new MemoryStream();
        await buffer.SendAsync(sent, CancellationToken.None);
        Assert.Equal(data, sent.ToArray());
    }

    [Fact]
    public async Task A_write_past_the_limit_fails_keeps_nothing_more_and_every_later_write_fails()
    {
        var buffer = new ResponseBuffer(10);
        await buffer.WriteAsync(new byte[6]);
        await Assert.ThrowsAsync<IOException>(async () => await buffer.WriteAsync(new byte[5]));
        Assert.True(buffer.Overflowed);
        Assert.Equal(6, buffer.Written);
        await Assert.ThrowsAsync<IOException>(async () => await buffer.WriteAsync(new byte[1]));
        Assert.Equal(6, buffer.Written);
    }
}
