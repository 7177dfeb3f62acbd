using System.Collections.Concurrent;
using Serilog;

namespace RunF.Runtime.Invoke;

/// <summary>
/// Keeps up to Size containers prepared and waiting; each serves one invocation. A slot is
/// refilled once the invocation that took its container is done (Replenish), not while it runs:
/// on a small executor the replacement's setup would compete with the function for the CPU.
/// </summary>
internal sealed class WarmPool : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<IWarmContainer> _ready = new();
    private readonly SemaphoreSlim _freeSlots;
    private readonly Func<Task<IWarmContainer>> _prepare;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _refill;

    public WarmPool(int size, Func<Task<IWarmContainer>> prepare)
    {
        _freeSlots = new SemaphoreSlim(size);
        _prepare = prepare;
        _refill = Task.Run(RefillAsync);
    }

    public int ReadyCount => _ready.Count;

    /// <summary>A ready container, or null; call Replenish once the invocation is done.</summary>
    public IWarmContainer? TryTake() => _ready.TryDequeue(out var container) ? container : null;

    /// <summary>Has a replacement prepared for a container that TryTake handed out.</summary>
    public void Replenish()
    {
        if (!_stop.IsCancellationRequested)
        {
            _freeSlots.Release();
        }
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
