using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;

namespace RunF.Serve.Runners;

/// <summary>The invoker --runner asks for.</summary>
public static class InvokerFactory
{
    public static async Task<IFunctionInvoker> CreateAsync(ServeConfig config)
    {
        if (!Directory.Exists(config.Rootfs) && config.Runner != RunnerKind.Process)
        {
            throw new RunfException($"rootfs {config.Rootfs} does not exist: build one (runf rootfs extract) or point --rootfs at it");
        }
        return config.Runner switch
        {
            RunnerKind.Process => new ProcessInvoker(config.Command),
            RunnerKind.Bwrap => new BwrapInvoker(config.Rootfs, config.Command),
            _ => await ContainerInvoker.CreateAsync(TemplateOf(config), ImageDefaultsLoader.Load(config.Rootfs), config.Prewarm),
        };
    }

    /// <summary>The run every invocation's container is made from: runf's defaults and serve's limits.</summary>
    private static RunRequest TemplateOf(ServeConfig config) => new()
    {
        Rootfs = config.Rootfs,
        Command = config.Command,
        Memory = config.Memory,
        PidsLimit = config.PidsLimit,
        Cpus = config.Cpus,
        Seccomp = config.Seccomp,
        NetBind = config.AllowBind,
    };
}
