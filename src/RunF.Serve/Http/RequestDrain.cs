namespace RunF.Serve.Http;

/// <summary>
/// The requests in flight on the function port, and the end of the SIGTERM drain: once closed,
/// new requests are refused (503) while those in flight finish, and Cut aborts what is left.
/// The listeners are closed only after the last request has ended: a function still running
/// shares the agent's network namespace, and with the port free it could bind it and receive
/// the next clients' requests.
/// </summary>
public sealed class RequestDrain
{
    private readonly CancellationTokenSource _cut = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _closed;

    /// <summary>Cancelled when the requests still in flight are to be aborted.</summary>
    public CancellationToken Cut => _cut.Token;

    /// <summary>Counts a request in; false once closed (and then it is not counted).</summary>
    public bool TryEnter()
    {
        // Interlocked on both sides (here and in CloseAsync): a request is either counted
        // before the drain looks, or sees that it is closed.
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _closed) == 0)
        {
            return true;
        }
        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _closed) != 0)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>Refuses new requests from now on; completes when none is in flight.</summary>
    public Task CloseAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _idle.TrySetResult();
        }
        return _idle.Task;
    }

    /// <summary>Aborts the requests in flight (their functions are killed); CloseAsync completes once they have ended.</summary>
    public void CutInFlight() => _cut.Cancel();
}
