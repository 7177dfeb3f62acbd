using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using RunF.Runtime.Invoke;

namespace RunF.Serve.Lambda;

/// <summary>What every runtime of the function shares: its containers' maker, where their output goes, the function, how many are started ahead.</summary>
public sealed record RuntimeHost(FunctionServer Server, ServerOutput Output, LambdaFunction Function, int Prewarm);

/// <summary>
/// The runtimes that run side by side: max_inflight of them, else --prewarm, else one (the
/// emulator's one runtime); the first --prewarm are started with the agent. An invocation takes
/// a runtime of its own for its whole run, the one waiting in GET /next first; when every
/// runtime is taken it is refused (429), never queued. Each runtime has its own runtime API
/// port, bound on 127.0.0.1 by Kestrel with the agent's other ports (the kernel chooses it, so
/// nothing else holds it).
/// </summary>
public sealed class RuntimePool : IAsyncDisposable
{
    private readonly RuntimeHost _host;
    private readonly TimeSpan _stopTimeout;
    private readonly RuntimeSlot[] _slots;
    private readonly bool[] _taken;
    private readonly ListenOptions?[] _listeners;
    private readonly Lock _gate = new();
    private Dictionary<int, RuntimeSlot> _byPort = [];

    public RuntimePool(RuntimeHost host, int count, TimeSpan stopTimeout)
    {
        _host = host;
        _stopTimeout = stopTimeout;
        _slots = [.. Enumerable.Range(0, count).Select(i => new RuntimeSlot(host, i))];
        _taken = new bool[count];
        _listeners = new ListenOptions?[count];
    }

    public LambdaFunction Function => _host.Function;

    public int Count => _slots.Length;

    /// <summary>What every runtime runs: the command, the image's Entrypoint and Cmd, or the bootstrap found.</summary>
    public IReadOnlyList<string> Command => _host.Server.Args;

    /// <summary>Runtimes started ahead whose runtime waits for an invocation now.</summary>
    public int IdlePrewarmed => _slots.Count(s => s.Prewarmed && s.Idle);

    /// <summary>One runtime API listener per runtime, on 127.0.0.1 and a port the kernel chooses.</summary>
    public void Listen(KestrelServerOptions kestrel)
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = i;
            kestrel.Listen(IPAddress.Loopback, 0, listen => _listeners[slot] = listen);
        }
    }

    /// <summary>Once Kestrel listens: learns each runtime's port, then starts the --prewarm runtimes (a runtime that cannot start stops the agent, as at start-up).</summary>
    public async Task StartAsync()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i].Port = ((IPEndPoint)_listeners[i]!.EndPoint).Port;
        }
        _byPort = _slots.ToDictionary(s => s.Port);
        await Task.WhenAll(_slots.Where(s => s.Prewarmed).Select(s => s.EnsureStartedAsync()));
    }

    /// <summary>The runtime API port of runtime index.</summary>
    public int PortOf(int index) => _slots[index].Port;

    /// <summary>The runtime whose API port local is, or null: the request is not for the runtime API.</summary>
    public RuntimeSlot? ByPort(int local) => _byPort.GetValueOrDefault(local);

    /// <summary>A runtime for one invocation, or null when all are taken; Release gives it back.</summary>
    public RuntimeSlot? TryTake()
    {
        lock (_gate)
        {
            // Waiting in GET /next, then started, then any: the fastest first.
            var free = Enumerable.Range(0, _slots.Length).Where(i => !_taken[i]).ToList();
            if (free.Count == 0)
            {
                return null;
            }
            var best = free.FirstOrDefault(i => _slots[i].Idle, free.FirstOrDefault(i => _slots[i].Running, free[0]));
            _taken[best] = true;
            return _slots[best];
        }
    }

    public void Release(RuntimeSlot slot)
    {
        lock (_gate)
        {
            _taken[slot.Index] = false;
        }
    }

    /// <summary>After the drain: every runtime is sent SIGTERM, then SIGKILL after stop_timeout.</summary>
    public Task StopAsync() => Task.WhenAll(_slots.Select(s => s.StopAsync(_stopTimeout)));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _host.Server.DisposeAsync();
    }
}
