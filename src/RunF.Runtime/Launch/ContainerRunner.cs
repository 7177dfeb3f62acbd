using System.Diagnostics;
using RunF.Runtime.Cgroups;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Interop;
using RunF.Runtime.Naming;
using RunF.Runtime.Plan;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;
using RunF.Runtime.State;
using Serilog;
using Serilog.Events;

namespace RunF.Runtime.Launch;

/// <summary>
/// One `runf COMMAND`: request to spec to plan, then start the container, pass signals on, wait
/// for it, and clean up its state. Returns the exit code runf exits with.
/// </summary>
public static class ContainerRunner
{
    public static int Run(RunRequest request, ImageDefaults? image, RunSettings settings)
    {
        var rootfs = RootfsPath.Resolve(request.Rootfs);
        var (uid, gid) = (Libc.GetEuid(), Libc.GetEgid());
        var limits = CgroupRequest.Limits(request);
        var cgroupMode = CgroupRequest.Mode(request);
        if (settings.PlanOutput is { } planOutput)
        {
            planOutput.Write(PlanPrinter.Print(Prepare(request, image, rootfs, uid, gid, NameGenerator.Next(), seccompCache: null).Plan));
            return 0;
        }

        ReportWriter.CheckDescriptor(settings);
        var states = StateDirectory.ForCurrentUser();
        using var state = states.ReserveNew();
        var id = state.Id;
        ICgroup? cgroup = null;
        try
        {
            var (spec, plan) = Prepare(request, image, rootfs, uid, gid, id, SeccompFilters.CacheIn(states.Path));
            // Guarded: a generic ILogger call is resolved by the type loader at run time.
            if (Log.IsEnabled(LogEventLevel.Debug))
            {
                Log.Debug("starting container {ContainerId} in {Rootfs}: {Args}", id, rootfs, spec.Args);
            }
            var planned = Stopwatch.GetTimestamp();
            cgroup = CgroupSetup.Create(id, limits, cgroupMode, request.CgroupParent);
            using var forwarder = new SignalForwarder();
            using var process = ContainerLauncher.Start(plan, uid, gid, rootfs, cgroup is null ? null : cgroup.Join, settings.TimingOutput is not null, out var timings);
            var started = Stopwatch.GetTimestamp();
            forwarder.Attach(process);
            if (timings is not null && settings.TimingOutput is { } timingOutput)
            {
                timingOutput.Write(TimingReport.Format(settings, planned, timings, plan));
            }
            state.Record(new ContainerState(id, process.Pid, rootfs, spec.Args, DateTimeOffset.UtcNow));
            // Housekeeping for runf processes that were killed, done while the function runs:
            // neither its start nor runf's exit waits for it.
            states.SweepStale();
            cgroup?.SweepSiblings(states.IsLive);
            using var deadline = settings.Timeout is { } timeout ? new Deadline(process, timeout, settings.StopTimeout) : null;
            var exit = process.WaitForExit();
            var outcome = cgroup?.ReadOutcome();
            var report = new RunReport
            {
                Id = id,
                Command = spec.Args,
                ExitCode = exit.ExitCode,
                Signal = exit.Signal,
                TimedOut = deadline?.Expired == true,
                WallTime = Stopwatch.GetElapsedTime(started),
                UserCpu = exit.UserCpu,
                SystemCpu = exit.SystemCpu,
                OomKilled = outcome?.OomKills > 0,
                PeakMemoryBytes = outcome?.PeakMemoryBytes,
                PidsPeak = outcome?.PidsPeak,
            };
            if (Log.IsEnabled(LogEventLevel.Debug))
            {
                Log.Debug("container {ContainerId} exited with {ExitCode}", id, exit.ExitCode);
            }
            ReportWriter.Write(report, settings);
            if (report.OomKilled && exit.Signal == Signals.SIGKILL)
            {
                throw new RunfException($"container killed: out of memory (limit {ByteSize.Format(limits.MemoryBytes ?? 0)})", ExitCodes.KilledBy(Signals.SIGKILL));
            }
            if (report.TimedOut)
            {
                throw new RunfException($"timed out after {Duration.Format(settings.Timeout!.Value)}", ExitCodes.TimedOut);
            }
            return exit.ExitCode;
        }
        finally
        {
            cgroup?.Remove();
        }
    }

    private static (ContainerSpec Spec, SetupPlan Plan) Prepare(RunRequest request, ImageDefaults? image, string rootfs, uint uid, uint gid, string hostname, string? seccompCache)
    {
        var spec = SpecFactory.Create(request, rootfs, hostname, image, SeccompFilters.Load(request.Seccomp, seccompCache),
            uid, gid, Environment.GetEnvironmentVariable);
        return (spec, new PlanBuilder(new HostProbe()).Build(spec));
    }
}
