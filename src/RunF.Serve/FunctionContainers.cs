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

    /// <summary>An OpenWhisk actionloop action: one long-lived runf container, started now.</summary>
    public static async Task<ActionLoop> CreateLoopAsync(ServeConfig config, LoopLogs logs)
    {
        RequireRootfs(config.Rootfs);
        return await ActionLoop.CreateAsync(TemplateOf(config), ImageDefaultsLoader.Load(config.Rootfs), logs, config.MaxResponseSize);
    }

    public static void RequireRootfs(string rootfs)
    {
        if (!Directory.Exists(rootfs))
        {
            throw new RunfException($"rootfs {rootfs} does not exist: build one (runf rootfs extract) or point --rootfs at it");
        }
    }

    /// <summary>
    /// The run every invocation's container is made from: runf's defaults and serve's limits, and
    /// the OpenWhisk action /init installed: its code bound read-only at /action, its working
    /// directory there (as actionproxy.py runs it), value.env added to the environment.
    /// </summary>
    private static RunRequest TemplateOf(ServeConfig config) => new()
    {
        Rootfs = config.Rootfs,
        User = config.User,
        WorkingDir = config.Action?.HostDirectory is null ? null : InstalledAction.MountPoint,
        Command = config.Command,
        Memory = config.Memory,
        PidsLimit = config.PidsLimit,
        Cpus = config.Cpus,
        Seccomp = config.Seccomp,
        NetBind = config.AllowBind,
        CgroupParent = config.CgroupParent,
        Binds = config.Action?.HostDirectory is { } code ? [.. config.Binds, $"{code}:{InstalledAction.MountPoint}:ro"] : config.Binds,
        Tmpfs = config.Tmpfs,
        Env = config.Action is { } action ? [.. config.Env, .. action.Env] : config.Env,
        EnvFiles = config.EnvFiles,
    };
}
