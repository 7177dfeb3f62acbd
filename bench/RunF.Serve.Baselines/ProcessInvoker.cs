using RunF.Serve.Configuration;

namespace RunF.Serve.Baselines;

/// <summary>
/// Benchmark baseline (runf-serve-baselines --runner process): the function as a plain child process, no container,
/// with runf serve's own environment, as the OpenFaaS watchdog forks it per request. An OpenWhisk
/// action /init installed runs as actionproxy.py runs it: its exec, in its directory, with value.env.
/// </summary>
public sealed class ProcessInvoker(IReadOnlyList<string> command, InstalledAction? action) : ChildProcessInvoker
{
    protected override IReadOnlyList<string> Argv { get; } =
        action?.HostDirectory is { } code ? [Path.Combine(code, "exec")] : command;

    protected override string? WorkingDirectory => action?.HostDirectory;

    protected override void PrepareEnvironment(IDictionary<string, string?> environment)
    {
        // Inherited as it is: the watchdog passes its environment to the function.
        AddPairs(environment, action?.Env ?? []);
    }
}
