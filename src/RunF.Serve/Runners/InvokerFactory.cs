using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Serve.Configuration;

namespace RunF.Serve.Runners;

/// <summary>The invoker --runner asks for.</summary>
public static class InvokerFactory
{
    public static IFunctionInvoker Create(ServeConfig config)
    {
        if (!Directory.Exists(config.Rootfs) && config.Runner != RunnerKind.Process)
        {
            throw new RunfException($"rootfs {config.Rootfs} does not exist: build one (runf rootfs extract) or point --rootfs at it");
        }
        return config.Runner switch
        {
            RunnerKind.Process => new ProcessInvoker(config.Command),
            RunnerKind.Bwrap => new BwrapInvoker(config.Rootfs, config.Command),
            _ => throw new RunfException("--runner runf needs the runtime's ContainerInvoker, which this build does not have yet: use --runner process or --runner bwrap"),
        };
    }
}
