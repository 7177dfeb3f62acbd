namespace RunF.Serve.Http;

/// <summary>max_inflight: an atomic count of running invocations; past the limit a request is refused, never queued.</summary>
public sealed class InflightGate(int limit)
{
    private int _count;

    public int Limit => limit;

    public bool AtLimit => limit > 0 && Volatile.Read(ref _count) >= limit;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _count) <= limit || limit == 0)
        {
            return true;
        }
        Interlocked.Decrement(ref _count);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _count);
}
