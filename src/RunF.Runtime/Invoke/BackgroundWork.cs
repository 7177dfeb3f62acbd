namespace RunF.Runtime.Invoke;

/// <summary>
/// Cleanup that need not delay an answer (a container's mounts, cgroup and state record), run on
/// the thread pool and tracked, so that disposing the invoker waits until nothing is left.
/// </summary>
internal sealed class BackgroundWork
{
    private readonly object _lock = new();
    private readonly HashSet<Task> _running = [];

    public void Run(Action work)
    {
        var task = new Task(work);
        lock (_lock)
        {
            _running.Add(task);
        }
        task.ContinueWith(done =>
        {
            lock (_lock)
            {
                _running.Remove(done);
            }
        }, TaskScheduler.Default);
        task.Start(TaskScheduler.Default);
    }

    public Task WhenAllAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll([.. _running]);
        }
    }
}
