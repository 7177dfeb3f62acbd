using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Invoke;
using RunF.Runtime.Spec;
using RunF.Serve.Configuration;
using RunF.Serve.Fn;
using RunF.Serve.OpenWhisk;
using RunF.Serve.HttpMode;
using RunF.Serve.Logging;

namespace RunF.Serve;

/// <summary>runf serve's containers: one per invocation, cold or from the --prewarm pool; or mode=http's long-running one.</summary>
public static class FunctionContainers
{
    /// <summary>How the ready line names what runs an invocation.</summary>
    public const string RunnerName = "runf";

    public static async Task<IFunctionInvoker> CreateAsync(ServeConfig config)
    {
        RequireRootfs(config.Rootfs);
        return await ContainerInvoker.CreateAsync(TemplateOf(config, PosixEnvironment.All()), ImageDefaultsLoader.Load(config.Rootfs), config.Prewarm);
    }

    /// <summary>
    /// mode=http's server: one long-running container of the function, which may bind its
    /// upstream port (and what --allow-bind opens); runf-init as its PID 1 (unless --no-init)
    /// passes the SIGTERM that stops it on to the server. Its output goes to the log as the of-watchdog's.
    /// </summary>
    public static UpstreamServer CreateServer(ServeConfig config)
    {
        RequireRootfs(config.Rootfs);
        var template = TemplateOf(config, PosixEnvironment.All()) with { NetBind = BindWithUpstream(config) };
        var function = FunctionServer.Create(template, ImageDefaultsLoader.Load(config.Rootfs));
        return new UpstreamServer(function, OutputOf(config), new TcpServerEndpoint(config.UpstreamUrl), config.StopTimeout);
    }

    /// <summary>
    /// mode=fn's hot containers: --prewarm of them (at least one), each a long-running container
    /// of the function (runf-init as PID 1 unless --no-init), Fn's variables (FnVariables), and a directory of
    /// its own bound read-write at /tmp/iofs for the FDK's socket, in the agent's directory of
    /// runf's state directory (ActionDirectory, fn-RANDOM), which only the agent can enter. What
    /// killed agents left there is removed first.
    /// </summary>
    internal static FnHotContainers CreateHot(ServeConfig config)
    {
        RequireRootfs(config.Rootfs);
        var image = ImageDefaultsLoader.Load(config.Rootfs);
        var template = TemplateOf(config, PosixEnvironment.All());
        ActionDirectory.SweepStale(FnHotContainers.DirectoryPrefix);
        var agentDirectory = ActionDirectory.Create(FnHotContainers.DirectoryPrefix);
        try
        {
            var containers = new List<FnHotContainer>();
            for (var i = 0; i < Math.Max(1, config.Prewarm); i++)
            {
                var shared = agentDirectory.CreateShared($"iofs-{i}");
                var endpoint = new FnSocketEndpoint(shared, Path.Combine(agentDirectory.DirectoryPath, $"lsnr-{i}.sock"));
                var function = FunctionServer.Create(
                    template with { Binds = [.. template.Binds, $"{shared}:{FnSocketEndpoint.MountPoint}:rw"], Env = [.. template.Env, .. FnVariables.Of(config)] },
                    image);
                containers.Add(new FnHotContainer(new UpstreamServer(function, OutputOf(config), endpoint, config.StopTimeout)));
            }
            return new FnHotContainers(agentDirectory, containers);
        }
        catch
        {
            agentDirectory.Dispose();
            throw;
        }
    }

    /// <summary>A long-running container's output: each line to the log, as the of-watchdog's.</summary>
    private static ServerOutput OutputOf(ServeConfig config) => new(
        line => ServeLog.Server(stdout: true, config.PrefixLogs, line),
        line => ServeLog.Server(stdout: false, config.PrefixLogs, line),
        config.LogBufferSize);

    /// <summary>
    /// mode=lambda's runtimes: long-lived containers of the function (the command, else the
    /// image's Entrypoint and Cmd, else a bootstrap where the emulator looks), runf-init as PID 1
    /// (unless --no-init) passing SIGTERM on to the runtime, and Lambda's variables (LambdaFunction).
    /// </summary>
    public static Lambda.RuntimePool CreateRuntimes(ServeConfig config)
    {
        RequireRootfs(config.Rootfs);
        var image = ImageDefaultsLoader.Load(config.Rootfs);
        if (config.Command.Count == 0 && image?.Entrypoint is not { Count: > 0 } && image?.Cmd is not { Count: > 0 })
        {
            config = config with { Command = [Lambda.LambdaFunction.Bootstraps.FirstOrDefault(b => InRootfs(config.Rootfs, b))
                ?? throw new RunfException($"no function to run: mode=lambda runs fprocess, the command after --, the image's Entrypoint and Cmd, or a bootstrap at {string.Join(", ", Lambda.LambdaFunction.Bootstraps)}, and rootfs {config.Rootfs} has none of them")] };
        }
        // The handler may be the command's last word: the command as SpecFactory makes it (Docker's rule).
        IReadOnlyList<string> args = [.. image?.Entrypoint ?? [], .. config.Command.Count > 0 ? config.Command : image?.Cmd ?? []];
        var function = Lambda.LambdaFunction.From(PosixEnvironment.Get, config, args);
        var template = TemplateOf(config, PosixEnvironment.All());
        var server = FunctionServer.Create(template with { InheritedEnv = [.. function.Defaults(), .. template.InheritedEnv] }, image);
        var output = OutputOf(config);
        var count = config.MaxInflight > 0 ? config.MaxInflight : Math.Max(config.Prewarm, 1);
        return new Lambda.RuntimePool(new Lambda.RuntimeHost(server, output, function, config.Prewarm), count, config.StopTimeout);
    }

    /// <summary>Whether path names an entry in rootfs (a link counts: the container resolves it, and the command check after follows it beneath the root).</summary>
    private static bool InRootfs(string rootfs, string path)
    {
        var host = Path.Join(rootfs, path);
        return File.Exists(host) || new FileInfo(host).LinkTarget is not null;
    }

    /// <summary>--allow-bind's ports and the upstream's.</summary>
    private static string BindWithUpstream(ServeConfig config)
    {
        var allowed = TcpBindPolicy.Parse(config.AllowBind, Setting.AllowBind.Flag);
        return allowed.AllowsAny ? allowed.ToString() : new TcpBindPolicy([.. allowed.Ports!.Append((ushort)config.UpstreamUrl.Port).Distinct().Order()]).ToString();
    }

    /// <summary>An OpenWhisk actionloop action: one long-lived runf container, started now.</summary>
    public static async Task<ActionLoop> CreateLoopAsync(ServeConfig config, LoopLogs logs)
    {
        RequireRootfs(config.Rootfs);
        return await ActionLoop.CreateAsync(TemplateOf(config, PosixEnvironment.All()), ImageDefaultsLoader.Load(config.Rootfs), logs, config.MaxResponseSize);
    }

    public static void RequireRootfs(string rootfs)
    {
        if (!Directory.Exists(rootfs))
        {
            throw new RunfException($"rootfs {rootfs} does not exist: build one (runf rootfs extract) or point --rootfs at it");
        }
    }

    /// <summary>
    /// The run every container of the function is made from: runf's defaults and serve's limits,
    /// the agent's environment as the watchdog passes its own (FunctionEnvironment), and the
    /// OpenWhisk action /init installed: its code bound read-only at /action, its working
    /// directory there (as actionproxy.py runs it), value.env added to the environment.
    /// </summary>
    private static RunRequest TemplateOf(ServeConfig config, IEnumerable<string> agentEnvironment) => new()
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
        InheritedEnv = config.InheritEnv ? FunctionEnvironment.Inherited(agentEnvironment) : [],
        Init = config.Init,
    };
}
