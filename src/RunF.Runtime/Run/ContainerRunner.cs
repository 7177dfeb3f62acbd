using System.Diagnostics;
using RunF.Runtime.Create;
using RunF.Runtime.Errors;
using RunF.Runtime.Launch;
using RunF.Runtime.Naming;
using RunF.Runtime.Plan;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;
using RunF.Runtime.State;
using Serilog.Events;
using Serilog;

namespace RunF.Runtime.Run;

/// <summary>
/// One `runf COMMAND`, the run supervisor: the container is made by ContainerFactory and run
/// until its exec; then signals are passed on (and with -t its terminal relayed), it is waited
/// for, reported on and its state cleaned up. Returns the exit code runf exits with.
/// </summary>
public static class ContainerRunner
{
    public static int Run(RunRequest request, ImageDefaults? image, RunSettings settings)
    {
        if (settings.PlanOutput is { } planOutput)
        {
            var dryRun = new ContainerFactory(request, image, seccompCache: null);
            var dryRunId = request.Name ?? NameGenerator.Next();
            planOutput.Write(PlanPrinter.Print(ContainerFactory.Plan(dryRun.Spec(dryRunId))));
            planOutput.Write(string.Join('\n', dryRun.CgroupPreview(dryRunId)) + "\n");
            return 0;
        }

        if (request.Tty && request.Interactive)
        {
            TerminalSession.CheckInteractive();
        }
        var states = StateDirectory.ForCurrentUser();
        var factory = new ContainerFactory(request, image, SeccompFilters.CacheIn(states.Path));
        ReportWriter.CheckDestinations(settings);
        using var state = request.Name is { } name ? states.Reserve(name) : states.ReserveNew();
        var id = state.Id;
        using var forwarder = new SignalForwarder(settings.StopTimeout);
        var created = factory.Run(state, settings.TimingOutput is not null, out var timings);
        try
        {
            using var process = created.Container;
            var started = Stopwatch.GetTimestamp();
            forwarder.Attach(process);
            // Guarded: a generic ILogger call is resolved by the type loader at run time.
            if (Log.IsEnabled(LogEventLevel.Debug))
            {
                Log.Debug("started container {ContainerId} in {Rootfs}: {Args}", id, factory.Rootfs, created.Spec.Args);
            }
            if (timings is not null && settings.TimingOutput is { } timingOutput)
            {
                timingOutput.Write(TimingReport.Format(settings, created.PlannedAt, timings, created.Plan));
            }
            using var terminal = process.Terminal is { } master ? TerminalSession.Start(master, forwarder) : null;
            // Housekeeping for runf processes that were killed, done while the function runs:
            // neither its start nor runf's exit waits for it.
            states.SweepStale();
            created.Cgroup?.SweepSiblings(states.IsLive);
            using var deadline = settings.Timeout is { } timeout ? new Deadline(process, timeout, settings.StopTimeout) : null;
            terminal?.RelayUntilExit(process);
            var exit = process.WaitForExit();
            var outcome = created.Cgroup?.ReadOutcome();
            var report = new RunReport
            {
                Id = id,
                Command = created.Spec.Args,
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
            if (report.OomKilled && exit.EndedBy(Signals.SIGKILL))
            {
                throw new RunfException($"container killed: out of memory (limit {ByteSize.Format(factory.Limits.MemoryBytes ?? 0)})", ExitCodes.KilledBy(Signals.SIGKILL));
            }
            if (report.TimedOut)
            {
                throw new RunfException($"timed out after {Duration.Format(settings.Timeout!.Value)}", ExitCodes.TimedOut);
            }
            if (forwarder.KilledAfter is { } stopSignal && exit.EndedBy(Signals.SIGKILL))
            {
                throw new RunfException($"the container did not stop within --stop-timeout {Duration.Format(settings.StopTimeout)} of {Signals.Name(stopSignal)}: killed", ExitCodes.KilledBy(Signals.SIGKILL));
            }
            return exit.ExitCode;
        }
        finally
        {
            created.Cgroup?.Remove();
        }
    }
}
