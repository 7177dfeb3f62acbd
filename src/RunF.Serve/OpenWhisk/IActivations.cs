namespace RunF.Serve.OpenWhisk;

/// <summary>The answer to one /run: its status and JSON body (newline-ended, as both proxies send).</summary>
/// <param name="Prewarmed">For the metrics: whether a container ready beforehand served it; null when none was started.</param>
internal sealed record ActivationAnswer(int Status, string Body, bool? Prewarmed = null)
{
    public static ActivationAnswer Error(int status, string message, bool? prewarmed = null) => new(status, OpenWhiskJson.Error(message), prewarmed);
}

/// <summary>
/// How one installed action runs its activations: a process per activation (mode=openwhisk, as
/// actionproxy.py), or a line to one long-lived process (mode=openwhisk-loop, as the actionloop).
/// </summary>
internal interface IActivations : IAsyncDisposable
{
    /// <summary>Containers set up and waiting now, for the metrics.</summary>
    int Prewarmed { get; }

    /// <summary>Runs one activation; the action's log lines are written before this returns.</summary>
    Task<ActivationAnswer> RunAsync(RunMessage message, CancellationToken cancellationToken);
}
