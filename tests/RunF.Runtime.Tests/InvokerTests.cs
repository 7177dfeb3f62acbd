using System.Text;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Launch;

namespace RunF.Runtime.Tests;

/// <summary>
/// The invoker's and the pool's own logic, with fake warm containers: a container that is gone
/// when its invocation comes, one that runs a real process (posix_spawn with the invocation's
/// stdout), preparations that fail. No namespaces: the containers themselves are integration tests.
/// </summary>
public class InvokerTests
{
    private sealed class FakeWarm(Func<int, ContainerProcess?> start) : IWarmContainer
    {
        public string Id => "fake";

        public IReadOnlyList<string> Env => ["PATH=/bin"];

        public bool Disposed { get; private set; }

        public bool OutOfMemory => false;

        public ContainerProcess? Start(IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<string> candidates, ContainerFds fds) =>
            start(fds.Stdout);

        public void Dispose() => Disposed = true;
    }

    private static FakeWarm Gone() => new(_ => null);

    private static FakeWarm Running(string script) => new(stdout => PosixSpawn.Start(["/bin/sh", "-c", script], stdout));

    private static Invocation Call(Stream output) =>
        new() { Input = new MemoryStream(), Output = output, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task A_container_that_is_gone_is_replaced_by_another()
    {
        var containers = new Queue<FakeWarm>([Gone(), Gone(), Running("echo ran; exit 7")]);
        var all = containers.ToList();
        await using var invoker = new ContainerInvoker(["fn"], () => containers.Dequeue());
        var output = new MemoryStream();

        var result = await invoker.InvokeAsync(Call(output), CancellationToken.None);

        Assert.Equal(7, result.ExitCode);
        Assert.Equal("ran\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.False(result.Prewarmed);
        await WaitUntil(() => all.All(c => c.Disposed));
    }

    [Fact]
    public async Task Three_containers_gone_in_a_row_fail_the_invocation_in_one_line()
    {
        var all = new List<FakeWarm>();
        await using var invoker = new ContainerInvoker(["fn"], () => { var c = Gone(); all.Add(c); return c; });

        var e = await Assert.ThrowsAsync<RunfException>(() => invoker.InvokeAsync(Call(new MemoryStream()), CancellationToken.None));

        Assert.Equal("the container exited before it could run the function", e.Message);
        Assert.Equal(3, all.Count);
        await WaitUntil(() => all.All(c => c.Disposed));
    }

    [Fact]
    public async Task A_prewarmed_container_serves_the_call_and_is_replaced()
    {
        var prepared = 0;
        await using var invoker = new ContainerInvoker(["fn"], () => { Interlocked.Increment(ref prepared); return Running("exit 0"); });
        invoker.Prewarm(1);
        await WaitUntil(() => invoker.Prewarmed == 1);

        var result = await invoker.InvokeAsync(Call(new MemoryStream()), CancellationToken.None);

        Assert.True(result.Prewarmed);
        await WaitUntil(() => invoker.Prewarmed == 1 && prepared == 2);
    }

    [Fact]
    public async Task The_pool_survives_failed_preparations_and_disposes_what_it_holds()
    {
        var attempts = 0;
        var made = new List<FakeWarm>();
        var pool = new WarmPool(2, () =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new RunfException("the rootfs went away");
            }
            var c = Gone();
            lock (made)
            {
                made.Add(c);
            }
            return Task.FromResult<IWarmContainer>(c);
        });
        await WaitUntil(() => pool.ReadyCount == 2);
        var taken = pool.TryTake();
        Assert.NotNull(taken);
        pool.Replenish();
        await WaitUntil(() => pool.ReadyCount == 2);

        await pool.DisposeAsync();

        Assert.Equal(3, made.Count);
        Assert.Equal(2, made.Count(c => c.Disposed)); // the one taken belongs to its invocation
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 10)
        {
            Assert.True(waited < 10_000, "condition not met in 10 s");
            await Task.Delay(10);
        }
    }
}
