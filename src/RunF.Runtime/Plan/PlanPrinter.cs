using System.Text;

namespace RunF.Runtime.Plan;

/// <summary>Renders a plan for --dry-run: one numbered line per step, with its arguments.</summary>
public static class PlanPrinter
{
    public static string Print(SetupPlan plan)
    {
        var sb = new StringBuilder();
        var names = Namespaces.Table.Where(ns => (plan.CloneFlags & ns.Flag) != 0).Select(ns => ns.Name);
        sb.Append("clone: ").AppendJoin(' ', names).Append(" (network shared with the executor)\n");
        var writer = plan.Ids.Tools is { } tools ? $"written by {tools.NewUidMap} and {tools.NewGidMap}, setgroups allowed" : "setgroups denied";
        sb.Append($"id maps: uid {string.Join(", ", plan.Ids.Uids)}; gid {string.Join(", ", plan.Ids.Gids)} (inside, host, count; {writer})\n");
        for (var i = 0; i < plan.Ops.Count; i++)
        {
            var op = plan.Ops[i];
            sb.Append($"{i,3}  {op.Description}");
            var details = Details(op);
            if (details.Length > 0)
            {
                sb.Append("  [").Append(details).Append(']');
            }
            sb.Append('\n');
            foreach (var note in op.Notes)
            {
                sb.Append("       ").Append(note).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string Details(SetupOp op)
    {
        var parts = new List<string>();
        if (op is MountOp mount)
        {
            parts.AddRange(Enum.GetValues<MountFlags>().Where(f => f != MountFlags.None && mount.MountFlags.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant()));
            if (mount.Data is { } data)
            {
                parts.Add(data);
            }
        }
        else if (op is TerminalOp terminal)
        {
            parts.Add(terminal.Rows == 0 && terminal.Columns == 0 ? "size unknown" : $"{terminal.Columns}x{terminal.Rows}");
            parts.Add("controlling terminal");
        }
        else if (op is ExecOp exec)
        {
            parts.Add("argv: " + string.Join(' ', exec.Args.Select(Quote)));
            parts.Add("env: " + string.Join(' ', exec.Env.Select(Quote)));
            parts.Add("search: " + string.Join(' ', exec.Candidates));
        }
        parts.AddRange(Enum.GetValues<OpFlags>().Where(f => f != OpFlags.None && op.Flags.HasFlag(f)).Select(f => f switch
        {
            OpFlags.Optional => "skip if missing",
            OpFlags.NoSymlinks => "no symlinks",
            OpFlags.SourceDevNull => "source must be /dev/null",
            OpFlags.Recursive => "recursive",
            OpFlags.ViaInit => "under runf-init as PID 1",
            _ => null,
        }).OfType<string>());
        return string.Join(", ", parts);
    }

    private static string Quote(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? s : $"'{s.Replace("'", "'\\''")}'";
}
