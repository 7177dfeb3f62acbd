namespace RunF.Serve.OpenWhisk;

/// <summary>
/// The action the agent runs now, replaceable once: an /init with code retires the blackbox
/// action (fprocess) that served until then. A retired action is disposed (its containers
/// killed, its prewarmed ones too) as soon as the last activation using it has ended.
/// </summary>
internal sealed class ActionSlot : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Task> _disposing = [];
    private Lease? _current;

    public int Prewarmed
    {
        get
        {
            lock (_lock)
            {
                return _current?.Activations.Prewarmed ?? 0;
            }
        }
    }

    /// <summary>Puts activations in place of the current action, which is retired.</summary>
    public void Replace(IActivations activations)
    {
        Lease? retired;
        lock (_lock)
        {
            retired = _current;
            _current = new Lease(activations, this);
        }
        retired?.Retire();
    }

    /// <summary>The current action, held until the lease is disposed; null when there is none.</summary>
    public Lease? Take()
    {
        lock (_lock)
        {
            _current?.Enter();
            return _current;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Lease? last;
        lock (_lock)
        {
            last = _current;
            _current = null;
        }
        last?.Retire();
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _disposing];
        }
        await Task.WhenAll(pending);
    }

    private void Disposing(Task task)
    {
        lock (_lock)
        {
            _disposing.Add(task);
        }
    }

    /// <summary>One action and the activations using it (counted under the slot's lock).</summary>
    internal sealed class Lease(IActivations activations, ActionSlot slot) : IDisposable
    {
        private int _users;
        private bool _retired;

        public IActivations Activations => activations;

        public void Enter() => _users++;

        public void Retire()
        {
            lock (slot._lock)
            {
                _retired = true;
                DisposeIfUnused();
            }
        }

        /// <summary>The activation is done with the action.</summary>
        public void Dispose()
        {
            lock (slot._lock)
            {
                _users--;
                DisposeIfUnused();
            }
        }

        private void DisposeIfUnused()
        {
            if (_retired && _users == 0)
            {
                slot.Disposing(Task.Run(() => activations.DisposeAsync().AsTask()));
            }
        }
    }
}
