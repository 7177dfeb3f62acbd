using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Http;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// mode=openwhisk-loop: the action is one long-lived process in one container (ActionLoop), as
/// the Go actionloop proxy runs it; each activation is the run request as one JSON line on its
/// stdin, and its result the line it writes on fd 3. Its stdout and stderr are the log.
/// </summary>
internal sealed class LoopActivations(ActionLoop loop, ServeConfig config) : IActivations
{
    public int Prewarmed => 0;

    public async Task<ActivationAnswer> RunAsync(RunMessage message, CancellationToken cancellationToken)
    {
        var activation = await loop.ActivateAsync(message.Line, Invocations.ExecTimeout(config), cancellationToken);
        // "Prewarmed" for the metrics: served by the container that was already running.
        var warm = !activation.Restarted;
        if (activation.Overflowed)
        {
            return ActivationAnswer.Error(502, $"the action was killed: its result exceeded max_response_size ({ByteSize.Format(config.MaxResponseSize)})", warm);
        }
        if (activation.TimedOut)
        {
            return ActivationAnswer.Error(502, $"the action exceeded its time limit of {Duration.Format(config.ExecTimeout)}: its container was killed, the next activation starts another", warm);
        }
        if (activation.Result is not { } line)
        {
            return ActivationAnswer.Error(502, ProxyWording.CommandExited, warm);
        }
        var result = line.Trim();
        return ActionResult.IsObjectOrArray(result)
            ? new ActivationAnswer(200, result + "\n", warm)
            : ActivationAnswer.Error(502, ProxyWording.NotDictionaryOrArray, warm);
    }

    public ValueTask DisposeAsync() => loop.DisposeAsync();
}
