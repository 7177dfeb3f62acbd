using System.Diagnostics;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Interop;
using RunF.Runtime.Naming;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;
using RunF.Runtime.State;
using Serilog;

namespace RunF.Runtime.Launch;

/// <summary>
/// One `runf COMMAND`: request to spec to plan, then start the container, pass signals on, wait
/// for it, and clean up its state. Returns the exit code runf exits with.
/// </summary>
public static class ContainerRunner
{
    private const int MaxNameAttempts = 32;

    public static int Run(RunRequest request, ImageDefaults? image, RunSettings settings, TextWriter stdout, TextWriter stderr)
    {
        var rootfs = RootfsPath.Resolve(request.Rootfs);
        var (uid, gid) = (Libc.GetEuid(), Libc.GetEgid());
        if (settings.DryRun)
        {
            var spec = SpecFactory.Create(request, rootfs, NameGenerator.Next(), image, uid, gid, Environment.GetEnvironmentVariable);
            stdout.Write(PlanPrinter.Print(new PlanBuilder(new HostProbe()).Build(spec)));
            return 0;
        }

        var states = StateDirectory.ForCurrentUser();
        using var state = Reserve(states);
        var id = state.Id;
        try
        {
            var spec = SpecFactory.Create(request, rootfs, id, image, uid, gid, Environment.GetEnvironmentVariable);
            var plan = new PlanBuilder(new HostProbe()).Build(spec);
            Log.Debug("starting container {ContainerId} in {Rootfs}: {Args}", id, rootfs, spec.Args);
            var planned = Stopwatch.GetTimestamp();
            using var forwarder = new SignalForwarder();
            using var process = ContainerLauncher.Start(plan, uid, gid, rootfs, null, settings.DebugTiming, out var timings);
            forwarder.Attach(process);
            if (timings is not null)
            {
                stderr.Write(TimingReport.Format(settings.StartedAt, planned, timings, plan));
            }
            state.Record(new ContainerState(id, process.Pid, rootfs, spec.Args, DateTimeOffset.UtcNow));
            var exitCode = process.WaitForExit();
            Log.Debug("container {ContainerId} exited with {ExitCode}", id, exitCode);
            return exitCode;
        }
        finally
        {
            states.SweepStale();
        }
    }

    private static StateFile Reserve(StateDirectory state)
    {
        for (var attempt = 0; attempt < MaxNameAttempts; attempt++)
        {
            if (state.TryReserve(NameGenerator.Next()) is { } file)
            {
                return file;
            }
        }
        throw new RunfException($"cannot find a free container name in {state.Path}: remove stale files there");
    }
}
