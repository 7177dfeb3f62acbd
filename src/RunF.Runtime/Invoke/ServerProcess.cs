using RunF.Runtime.Launch;

namespace RunF.Runtime.Invoke;

/// <summary>
/// One started container of a FunctionServer. Exited completes once its PID 1 has exited (the
/// kernel kills the rest of the container with it) and its output has been read to the end; by
/// then its descriptors are closed and its cgroup, state record and mounts are being removed.
/// </summary>
public sealed class ServerProcess
{
    private readonly ContainerProcess _process;

    internal ServerProcess(IWarmContainer container, ContainerProcess process, InvocationPipes pipes, ServerOutput output, BackgroundWork cleanup)
    {
        Id = container.Id;
        _process = process;
        Exited = RunAsync(container, process, pipes, output, cleanup);
    }

    /// <summary>The container's id (its hostname; runf ps lists it).</summary>
    public string Id { get; }

    /// <summary>Its PID 1, as the agent sees it: every process of the container descends from it.</summary>
    public int Pid => _process.Pid;

    public Task<ServerExit> Exited { get; }

    /// <summary>Signals PID 1 through its pidfd; false once it has been reaped.</summary>
    public bool Signal(int signal) => _process.Signal(signal);

    private static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task OnOwnThread(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task<ServerExit> RunAsync(IWarmContainer container, ContainerProcess process, InvocationPipes pipes, ServerOutput output, BackgroundWork cleanup)
    {
        try
        {
            // Threads of their own, for as long as the server runs: none is taken from the pool.
            var stdout = OnOwnThread(() => LineSplitter.ReadLines(pipes.Stdout, output.Stdout, output.MaxLineChars));
            var stderr = OnOwnThread(() => LineSplitter.ReadLines(pipes.Stderr!, output.Stderr, output.MaxLineChars));
            var exit = await OnOwnThread(process.WaitForExit);
            // PID 1 is gone, so is the rest of the container: both pipes reach EOF once reaped.
            await Task.WhenAll(stdout, stderr);
            return new ServerExit(exit, exit.EndedBy(Signals.SIGKILL) && container.OutOfMemory);
        }
        finally
        {
            // The write end of stdin was held open until now, as the watchdog holds it.
            pipes.Dispose();
            process.Dispose();
            cleanup.Run(container.Dispose);
        }
    }
}
