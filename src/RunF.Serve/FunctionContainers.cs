using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;

namespace RunF.Serve;

/// <summary>runf serve's invoker: a runf container per invocation, cold or from the --prewarm pool.</summary>
public static class FunctionContainers
{
    /// <summary>How the ready line names what runs an invocation.</summary>
    public const string RunnerName = "runf";

    public static async Task<IFunctionInvoker> CreateAsync(ServeConfig config)
    {
        RequireRootfs(config.Rootfs);
        return await ContainerInvoker.CreateAsync(TemplateOf(config), ImageDefaultsLoader.Load(config.Rootfs), config.Prewarm);
    }

    public static void RequireRootfs(string rootfs)
    {
        if (!Directory.Exists(rootfs))
        {
            throw new RunfException($"rootfs {rootfs} does not exist: build one (runf rootfs extract) or point --rootfs at it");
        }
    }

    /// <summary>The run every invocation's container is made from: runf's defaults and serve's limits.</summary>
    private static RunRequest TemplateOf(ServeConfig config) => new()
    {
        Rootfs = config.Rootfs,
        User = config.User,
        Command = config.Command,
        Memory = config.Memory,
        PidsLimit = config.PidsLimit,
        Cpus = config.Cpus,
        Seccomp = config.Seccomp,
        NetBind = config.AllowBind,
        CgroupParent = config.CgroupParent,
        Binds = config.Binds,
        Tmpfs = config.Tmpfs,
        Env = config.Env,
        EnvFiles = config.EnvFiles,
    };
}
