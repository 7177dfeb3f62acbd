using RunF.Serve.Http;

namespace RunF.Serve.Tests;

public sealed class RequestDrainTests
{
    [Fact]
    public async Task Closing_refuses_new_requests_and_completes_when_the_last_one_ends()
    {
        var drain = new RequestDrain();
        Assert.True(drain.TryEnter());
        Assert.True(drain.TryEnter());
        var drained = drain.CloseAsync();
        Assert.False(drain.TryEnter());
        drain.Exit();
        Assert.False(drained.IsCompleted);
        drain.Exit();
        await drained.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Closing_with_nothing_in_flight_completes_at_once_and_cut_is_only_on_demand()
    {
        var drain = new RequestDrain();
        Assert.True(drain.TryEnter());
        drain.Exit();
        await drain.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(drain.Cut.IsCancellationRequested);
        drain.CutInFlight();
        Assert.True(drain.Cut.IsCancellationRequested);
    }

    [Fact]
    public async Task Requests_racing_the_close_are_either_counted_or_refused()
    {
        for (var round = 0; round < 200; round++)
        {
            var drain = new RequestDrain();
            var entered = 0;
            var racers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                if (drain.TryEnter())
                {
                    Interlocked.Increment(ref entered);
                    Thread.SpinWait(100);
                    Interlocked.Decrement(ref entered);
                    drain.Exit();
                }
            })).ToList();
            await drain.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(0, Volatile.Read(ref entered));
            Assert.False(drain.TryEnter());
            await Task.WhenAll(racers);
        }
    }
}
