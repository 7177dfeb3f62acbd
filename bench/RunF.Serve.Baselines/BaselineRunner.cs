using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Serve.Configuration;

namespace RunF.Serve.Baselines;

/// <summary>
/// --runner process|bwrap: which baseline runs an invocation, and the settings of runf serve
/// it refuses because it has no such control.
/// </summary>
public sealed record BaselineRunner(string Name)
{
    public static readonly Setting Runner = new("runner", false, "RUNNER", "process (a plain child process) or bwrap (bubblewrap per request); required");

    /// <summary>runf serve's settings and --runner.</summary>
    public static readonly IReadOnlyList<Setting> Settings = [.. Setting.All, Runner];

    /// <summary>
    /// The baselines have no cgroups, prewarming, seccomp or Landlock: a limit silently ignored
    /// would make a benchmark compare a limited runner with an unlimited one.
    /// </summary>
    private static readonly Setting[] RunfOnly =
    [
        Setting.Memory, Setting.PidsLimit, Setting.Cpus, Setting.Prewarm, Setting.Seccomp, Setting.AllowBind,
        Setting.CgroupParent, Setting.Bind, Setting.Tmpfs, Setting.Env, Setting.EnvFile, Setting.User, Setting.InheritEnv, Setting.NoInit,
    ];

    public static BaselineRunner Of(IReadOnlyDictionary<Setting, string> given, ServeMode mode)
    {
        var name = given.GetValueOrDefault(Runner)?.Trim().ToLowerInvariant();
        if (name is not ("process" or "bwrap"))
        {
            throw new RunfException(name is null
                ? "no runner: give --runner process or --runner bwrap (runf's own runner is runf serve)"
                : $"invalid runner \"{given[Runner]}\" (--runner): expected process or bwrap (runf's own runner is runf serve)");
        }
        if (mode == ServeMode.Http)
        {
            throw new RunfException($"mode=http works only with runf serve (the {name} runner runs a process per request, not a server): bench/serve measures mode=http against its server called directly");
        }
        if (mode == ServeMode.Fn)
        {
            throw new RunfException($"mode=fn works only with runf serve (the {name} runner runs a process per request, not a hot function): bench/serve/fn.sh measures mode=fn beside the process runner in its own modes");
        }
        if (RunfOnly.FirstOrDefault(given.ContainsKey) is { } runfOnly)
        {
            throw new RunfException($"{runfOnly.Flag} works only with runf serve (the {name} runner has no such control): remove it, or measure runf with runf serve");
        }
        if (mode == ServeMode.Lambda)
        {
            throw new RunfException($"mode=lambda works only with runf serve (the {name} runner runs a process per request, not a Lambda runtime): bench/serve/lambda.sh measures it beside the {name} runner's own mode");
        }
        if (mode == ServeMode.OpenWhiskLoop)
        {
            throw new RunfException($"mode openwhisk-loop works only with runf serve (the {name} runner has no long-lived action): measure it with runf serve, beside OpenWhisk's Go proxy");
        }
        return new BaselineRunner(name);
    }

    public Task<IFunctionInvoker> CreateAsync(ServeConfig config)
    {
        if (Name == "process")
        {
            return Task.FromResult<IFunctionInvoker>(new ProcessInvoker(config.Command, config.Action));
        }
        FunctionContainers.RequireRootfs(config.Rootfs);
        return Task.FromResult<IFunctionInvoker>(new BwrapInvoker(config.Rootfs, config.Command, config.Action));
    }

    public static string Help() => string.Join('\n', [
        "Usage: runf-serve-baselines --runner process|bwrap [OPTIONS] [-- COMMAND [ARG...]]",
        "",
        "runf serve's HTTP agent with a benchmark baseline in place of runf containers: a plain",
        "process or a bubblewrap sandbox per request (bench/serve). Not for production. It takes",
        "runf serve's settings but --memory, --pids-limit, --cpus, --prewarm, --seccomp and",
        "--allow-bind, which only runf containers have.",
        "",
        .. ServeArguments.Options(Settings),
    ]);
}
