using System.Diagnostics;
using System.Text;
using RunF.Runtime.Interop;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Run;

/// <summary>The --debug-timing breakdown: where the time from runf's start to the command's exec went.</summary>
internal static class TimingReport
{
    public static string Format(RunSettings settings, long plannedAt, StepTimings t, SetupPlan plan)
    {
        var sb = new StringBuilder("runf: timing (ms)\n");
        void Line(string what, long from, long to) => sb.Append($"  {Ms(from, to),8:F3}  {what}\n");
        // The native constructor's stamp is CLOCK_MONOTONIC ns, Stopwatch's clock and unit on Linux.
        // It is 0 only if the constructor was not linked in; then the breakdown starts at main.
        var stamp = (long)NativeLauncher.StartedNs();
        var started = stamp > 0 && stamp <= settings.StartedAt ? stamp : settings.StartedAt;
        if (started < settings.StartedAt)
        {
            Line("runtime start-up, before main", started, settings.StartedAt);
        }
        Line("options", settings.StartedAt, settings.ParsedAt);
        Line("rootfs, state record, signal handlers, spec and plan", settings.ParsedAt, plannedAt);
        Line("cgroup, plan buffer", plannedAt, t.Spawned);
        Line("clone and id maps", t.Spawned, t.Released);
        var previous = t.Released;
        for (var i = 0; i < t.Steps.Count; i++)
        {
            var end = t.Steps[i] == 0 ? t.Executed : t.Steps[i];
            Line(plan.Ops[i].Description, previous, end);
            previous = end;
        }
        Line("total from runf's start to exec", started, t.Executed);
        return sb.ToString();
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
