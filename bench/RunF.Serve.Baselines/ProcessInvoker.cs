namespace RunF.Serve.Baselines;

/// <summary>
/// Benchmark baseline (runf-serve-baselines --runner process): the function as a plain child process, no container,
/// with runf serve's own environment, as the OpenFaaS watchdog forks it per request.
/// </summary>
public sealed class ProcessInvoker(IReadOnlyList<string> command) : ChildProcessInvoker
{
    protected override IReadOnlyList<string> Argv => command;

    protected override void PrepareEnvironment(IDictionary<string, string?> environment)
    {
        // Inherited as it is: the watchdog passes its environment to the function.
    }
}
