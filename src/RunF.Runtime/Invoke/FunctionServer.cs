using RunF.Runtime.Errors;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Invoke;

/// <summary>
/// A function that is started once and left running, as the of-watchdog's mode=http runs its
/// HTTP server: each start is one container from the same FunctionTemplate, and so the same
/// ContainerFactory, as every invocation's (its limits, read-only rootfs, seccomp, Landlock),
/// cloned on a launcher thread of its own that lives as long as this object.
/// </summary>
public sealed class FunctionServer : IAsyncDisposable
{
    private readonly FunctionTemplate _function;
    private readonly LauncherThreads _launcher = new(1);
    private readonly BackgroundWork _cleanup = new();

    private FunctionServer(FunctionTemplate function)
    {
        _function = function;
    }

    /// <summary>Resolves the function and checks its command, as at an agent's start: nothing runs yet.</summary>
    public static FunctionServer Create(RunRequest template, ImageDefaults? image) => new(new FunctionTemplate(template, image));

    /// <summary>The command every container runs (the image's Entrypoint and Cmd applied).</summary>
    public IReadOnlyList<string> Args => _function.Args;

    /// <summary>
    /// Starts one container of the function. Its stdin is a pipe that stays open and empty, as
    /// the watchdog leaves it; its stdout and stderr come out as lines (see ServerOutput).
    /// extraEnv (KEY=VALUE) wins over the function's environment in this container only (a
    /// Lambda runtime's own runtime API address).
    /// </summary>
    public async Task<ServerProcess> StartAsync(ServerOutput output, IReadOnlyList<string>? extraEnv = null)
    {
        var warm = await _launcher.Run(_function.Prepare);
        var pipes = InvocationPipes.Create(combineOutput: false);
        try
        {
            var env = EnvironmentMerge.Apply(warm.Env, extraEnv ?? []);
            var candidates = PlanBuilder.ExecCandidates(_function.Args[0], env);
            var process = warm.Start(_function.Args, env, candidates, new ContainerFds(pipes.ChildStdin, pipes.ChildStdout, pipes.ChildStderr))
                ?? throw new RunfException("the container exited before it could run the function");
            pipes.CloseChildEnds();
            return new ServerProcess(warm, process, pipes, output, _cleanup);
        }
        catch
        {
            pipes.Dispose();
            _cleanup.Run(warm.Dispose);
            throw;
        }
    }

    /// <summary>Waits for the cleanup of every container that has exited; kill the running one first (ServerProcess).</summary>
    public async ValueTask DisposeAsync()
    {
        await _cleanup.WhenAllAsync();
        _launcher.Dispose();
    }
}

/// <summary>Where a server's output goes: each line of its stdout and stderr, split past MaxLineChars.</summary>
public sealed record ServerOutput(Action<string> Stdout, Action<string> Stderr, int MaxLineChars = LineSplitter.MaxChars);

/// <summary>How a server's container ended: its PID 1's exit, and whether the OOM killer of its memory limit killed it.</summary>
public sealed record ServerExit(ExitInfo Exit, bool OutOfMemory);
