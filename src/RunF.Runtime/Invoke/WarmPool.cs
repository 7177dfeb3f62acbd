using System.Collections.Concurrent;
using Serilog;

namespace RunF.Runtime.Invoke;

/// <summary>
/// Keeps up to Size containers prepared and waiting. Taking one frees a slot, and a background
/// loop prepares the replacement; each container serves one invocation.
/// </summary>
internal sealed class WarmPool : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<WarmContainer> _ready = new();
    private readonly SemaphoreSlim _freeSlots;
    private readonly Func<Task<WarmContainer>> _prepare;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _refill;

    public WarmPool(int size, Func<Task<WarmContainer>> prepare)
    {
        _freeSlots = new SemaphoreSlim(size);
        _prepare = prepare;
        _refill = Task.Run(RefillAsync);
    }

    public int ReadyCount => _ready.Count;

    public WarmContainer? TryTake()
    {
        if (!_ready.TryDequeue(out var container))
        {
            return null;
        }
        _freeSlots.Release();
        return container;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _refill;
        }
        catch (OperationCanceledException)
        {
        }
        while (_ready.TryDequeue(out var container))
        {
            container.Dispose();
        }
        _stop.Dispose();
        _freeSlots.Dispose();
    }

    private async Task RefillAsync()
    {
        while (true)
        {
            await _freeSlots.WaitAsync(_stop.Token);
            try
            {
                var container = await _prepare();
                _ready.Enqueue(container);
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The rootfs or the host changed under a running agent: say so, keep serving cold.
                Log.Warning("cannot pre-warm a container: {Error}", e.Message);
                _freeSlots.Release();
                await Task.Delay(RetryDelay, _stop.Token);
            }
        }
    }
}
