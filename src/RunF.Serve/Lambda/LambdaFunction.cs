using System.Globalization;
using RunF.Runtime.Errors;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;

namespace RunF.Serve.Lambda;

/// <summary>
/// What the function is called and how it is configured, read as the runtime interface
/// emulator reads it: from the agent's environment (AWS_LAMBDA_FUNCTION_NAME,
/// AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_REGION, the handler), with
/// the emulator's defaults; the timeout is exec_timeout. docs/serve.md lists the variables.
/// </summary>
public sealed record LambdaFunction(string Name, string Version, int MemoryMb, string Region, string? Handler, TimeSpan Timeout)
{
    /// <summary>The emulator's account id in every ARN it makes.</summary>
    public const string Account = "012345678912";

    /// <summary>Where a Lambda image's code is (the working directory of AWS's base images).</summary>
    public const string TaskRoot = "/var/task";

    /// <summary>What the deadline says when exec_timeout is 0: Lambda's longest timeout.</summary>
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Where the emulator looks for a custom runtime when it is given no command, in its order.</summary>
    public static readonly IReadOnlyList<string> Bootstraps = [$"{TaskRoot}/bootstrap", "/opt/bootstrap", "/var/runtime/bootstrap"];

    public string Arn => $"arn:aws:lambda:{Region}:{Account}:function:{Name}";

    /// <summary>How long an invocation may take, for its deadline header (no limit: 15 minutes, Lambda's longest).</summary>
    public TimeSpan DeadlineAfter => Timeout == TimeSpan.Zero ? LongestTimeout : Timeout;

    /// <summary>
    /// The function as the agent's environment describes it. args is the command the runtimes
    /// run: without a handler variable, its last word is the handler when it has more than one
    /// (the emulator's rule for `aws-lambda-rie /lambda-entrypoint.sh app.handler`).
    /// </summary>
    public static LambdaFunction From(Func<string, string?> environment, ServeConfig config, IReadOnlyList<string> args)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;

        var memory = Get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
        int memoryMb;
        if (memory is not null)
        {
            memoryMb = int.TryParse(memory, NumberStyles.None, CultureInfo.InvariantCulture, out var mb) && mb > 0
                ? mb
                : throw new RunfException($"invalid AWS_LAMBDA_FUNCTION_MEMORY_SIZE \"{memory}\": expected the function's memory in MB, such as 128 or 3008");
        }
        else
        {
            // --memory when there is one (the limit the runtime really has), else the emulator's 3008.
            memoryMb = config.Memory is { } limit ? (int)Math.Max(1, ByteSize.Parse(limit, "--memory") >> 20) : 3008;
        }
        var handler = LastEnv(config.Env, "_HANDLER") ?? Get("AWS_LAMBDA_FUNCTION_HANDLER") ?? Get("_HANDLER") ?? (args.Count > 1 ? args[^1] : null);
        return new LambdaFunction(
            Get("AWS_LAMBDA_FUNCTION_NAME") ?? "test_function",
            Get("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST",
            memoryMb,
            Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION") ?? "us-east-1",
            handler,
            config.ExecTimeout);
    }

    /// <summary>
    /// The variables Lambda sets for every runtime, as defaults: over the image's Env (AWS's base
    /// images set only LAMBDA_TASK_ROOT and LAMBDA_RUNTIME_DIR of them, to the same values), under
    /// runf serve's own environment, --env-file and -e.
    /// </summary>
    public IReadOnlyList<string> Defaults() =>
    [
        $"AWS_LAMBDA_FUNCTION_NAME={Name}",
        $"AWS_LAMBDA_FUNCTION_VERSION={Version}",
        $"AWS_LAMBDA_FUNCTION_MEMORY_SIZE={MemoryMb.ToString(CultureInfo.InvariantCulture)}",
        $"AWS_REGION={Region}",
        $"AWS_DEFAULT_REGION={Region}",
        $"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/{Name}",
        $"AWS_LAMBDA_LOG_STREAM_NAME={DateTime.UtcNow:yyyy'/'MM'/'dd}/[{Version}]{Guid.NewGuid():N}",
        $"LAMBDA_TASK_ROOT={TaskRoot}",
        "LAMBDA_RUNTIME_DIR=/var/runtime",
    ];

    /// <summary>
    /// The variables of one runtime's container, over everything else: the address of its own
    /// runtime API, how it was started (a --prewarm runtime is Lambda's provisioned concurrency),
    /// and the handler.
    /// </summary>
    public IReadOnlyList<string> RuntimeEnv(int apiPort, bool prewarmed)
    {
        List<string> env =
        [
            $"AWS_LAMBDA_RUNTIME_API=127.0.0.1:{apiPort.ToString(CultureInfo.InvariantCulture)}",
            $"AWS_LAMBDA_INITIALIZATION_TYPE={(prewarmed ? "provisioned-concurrency" : "on-demand")}",
        ];
        if (Handler is not null)
        {
            env.Add($"_HANDLER={Handler}");
        }
        return env;
    }

    /// <summary>The value of the last -e KEY=VALUE for key.</summary>
    private static string? LastEnv(IReadOnlyList<string> env, string key) =>
        env.LastOrDefault(e => e.StartsWith(key + "=", StringComparison.Ordinal)) is { } pair ? pair[(key.Length + 1)..] : null;
}
