using System.Diagnostics;
using System.Text;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>The --debug-timing breakdown: where the time from runf's start to the command's exec went.</summary>
internal static class TimingReport
{
    public static string Format(long startedAt, long plannedAt, StepTimings t, SetupPlan plan)
    {
        var sb = new StringBuilder("runf: timing (ms)\n");
        void Line(string what, long from, long to) => sb.Append($"  {Ms(from, to),8:F3}  {what}\n");
        Line("options, spec and plan", startedAt, plannedAt);
        Line("clone and id maps", t.Spawned, t.Released);
        var previous = t.Released;
        for (var i = 0; i < t.Steps.Count; i++)
        {
            var end = t.Steps[i] == 0 ? t.Executed : t.Steps[i];
            Line(plan.Ops[i].Description, previous, end);
            previous = end;
        }
        Line("total from main to exec", startedAt, t.Executed);
        return sb.ToString();
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
