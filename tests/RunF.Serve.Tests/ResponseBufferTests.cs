using RunF.Serve.IO;

namespace RunF.Serve.Tests;

public sealed class ResponseBufferTests
{
    [Fact]
    public async Task It_holds_up_to_its_limit_byte_exact_across_chunks()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        using var buffer = new ResponseBuffer(data.Length);
        foreach (var piece in data.Chunk(30_001))
        {
            await buffer.WriteAsync(piece);
        }
        Assert.False(buffer.Overflowed);
        Assert.Equal(data.Length, buffer.Written);
        using var sent = new MemoryStream();
        await buffer.SendAsync(sent, CancellationToken.None);
        Assert.Equal(data, sent.ToArray());
    }

    [Fact]
    public async Task A_write_past_the_limit_fails_keeps_nothing_more_and_every_later_write_fails()
    {
        using var buffer = new ResponseBuffer(10);
        await buffer.WriteAsync(new byte[6]);
        await Assert.ThrowsAsync<IOException>(async () => await buffer.WriteAsync(new byte[5]));
        Assert.True(buffer.Overflowed);
        Assert.Equal(6, buffer.Written);
        await Assert.ThrowsAsync<IOException>(async () => await buffer.WriteAsync(new byte[1]));
        Assert.Equal(6, buffer.Written);
    }

    [Fact]
    public async Task After_dispose_the_memory_is_gone_and_a_late_write_fails_cleanly()
    {
        var buffer = new ResponseBuffer(1 << 20);
        await buffer.WriteAsync(new byte[100]);
        buffer.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await buffer.WriteAsync(new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => buffer.ToUtf8String());
    }

    [Fact]
    public async Task Text_is_decoded_as_utf8()
    {
        using var buffer = new ResponseBuffer(100);
        Assert.Equal("", buffer.ToUtf8String());
        await buffer.WriteAsync("{\"ok\":\"ü\"}\n"u8.ToArray());
        Assert.Equal("{\"ok\":\"ü\"}\n", buffer.ToUtf8String());
    }
}
