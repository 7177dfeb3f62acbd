using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Http;
using RunF.Serve.IO;
using RunF.Serve.Logging;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// mode=openwhisk: each activation runs the action once in a fresh container, as actionproxy.py
/// runs /action/exec: the "value" as JSON in argv[1] (unless it is longer than the kernel takes
/// for one argument) and on stdin, the other fields as __OW_* variables. The last line of stdout
/// is the result; the lines before it and stderr are the activation's log.
/// </summary>
internal sealed class ProcessActivations(IFunctionInvoker invoker, ServeConfig config) : IActivations
{
    /// <summary>MAX_ARG_STRLEN less its NUL: actionproxy.py passes longer parameters on stdin only.</summary>
    public const int MaxArgumentBytes = 131071;

    public int Prewarmed => invoker.Prewarmed;

    public async Task<ActivationAnswer> RunAsync(RunMessage message, CancellationToken cancellationToken)
    {
        using var stdout = new ResponseBuffer(config.MaxResponseSize);
        InvocationResult result;
        try
        {
            result = await invoker.InvokeAsync(new Invocation
            {
                Environment = message.Env,
                Arguments = message.Value.Length <= MaxArgumentBytes ? [System.Text.Encoding.UTF8.GetString(message.Value)] : [],
                Input = new MemoryStream(message.Value, writable: false),
                Output = stdout,
                ErrorLine = ServeLog.Stderr,
                Timeout = Invocations.ExecTimeout(config),
            }, cancellationToken);
        }
        catch (RunfException e)
        {
            return ActivationAnswer.Error(502, e.Message);
        }
        if (stdout.Overflowed)
        {
            return ActivationAnswer.Error(502, $"the action was killed: its output exceeded max_response_size ({ByteSize.Format(stdout.Limit)})", result.Prewarmed);
        }
        var (logs, last) = ActionResult.Split(stdout.ToUtf8String());
        foreach (var line in logs.Split('\n')[..^1])
        {
            ServeLog.Stdout(line);
        }
        if (result.TimedOut)
        {
            return ActivationAnswer.Error(502, $"the action exceeded its time limit of {Duration.Format(config.ExecTimeout)}", result.Prewarmed);
        }
        if (ActionResult.IsObjectOrArray(last))
        {
            return new ActivationAnswer(200, last + "\n", result.Prewarmed);
        }
        // actionproxy.py logs what it could not take for a result.
        ServeLog.Stdout(last);
        return ActivationAnswer.Error(502, ProxyWording.NotDictionaryOrArray, result.Prewarmed);
    }

    public ValueTask DisposeAsync() => invoker.DisposeAsync();
}
