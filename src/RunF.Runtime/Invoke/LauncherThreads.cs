using System.Collections.Concurrent;

namespace RunF.Runtime.Invoke;

/// <summary>
/// Long-lived threads that clone every container. A child's parent-death signal fires when the
/// thread that cloned it exits, so clones never come from thread-pool threads, which retire;
/// these threads end only when the invoker is disposed, after its last container.
/// </summary>
internal sealed class LauncherThreads : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread[] _threads;

    public LauncherThreads(int count)
    {
        _threads = [.. Enumerable.Range(0, count).Select(i => new Thread(Loop) { IsBackground = true, Name = $"runf-launcher-{i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        _work.Dispose();
    }

    private void Loop()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
