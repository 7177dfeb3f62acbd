using System.Text;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// The rules of a profile as short lines for --dry-run: the default, then one line per rule
/// ("allow clone if arg0 & 0x7e020000 == 0x0"), consecutive rules for the same syscalls merged.
/// </summary>
public static class SeccompRenderer
{
    private const int Width = 110;

    public static IReadOnlyList<string> Render(SeccompProfile profile, ResolvedProfile resolved)
    {
        var lines = new List<string>
        {
            $"default {Action(profile.DefaultAction!, profile.DefaultErrnoRet ?? (profile.DefaultErrno is { } name ? SeccompNames.Errnos[name] : null))}; architectures {string.Join(" ", resolved.Architectures.Select(Arch))}; any other kills the process",
        };
        // The rules that apply to this container (Docker's includes and excludes decided), with their names.
        var applying = resolved.Rules.Select(r => r.Field).ToHashSet(StringComparer.Ordinal);
        var rules = (profile.Syscalls ?? []).Select((rule, i) => (rule, i))
            .Where(r => applying.Contains($"syscalls[{r.i}]"))
            .Select(r => r.rule with { Names = r.rule.Names ?? [r.rule.Name!] })
            .ToList();
        for (var i = 0; i < rules.Count;)
        {
            var rule = rules[i];
            var conditions = new List<string>();
            do
            {
                if (rules[i].Args is { Count: > 0 } args)
                {
                    conditions.Add(string.Join(" and ", args.Select(Condition)));
                }
                i++;
            }
            while (i < rules.Count && SameTarget(rules[i], rule));
            var head = $"{Action(rule.Action!, rule.ErrnoRet ?? (rule.Errno is { } errnoName ? SeccompNames.Errnos[errnoName] : null))} {string.Join(" ", rule.Names!)}";
            var when = conditions.Count switch
            {
                0 => "",
                1 => " if " + conditions[0],
                _ => " if " + string.Join(" or ", conditions.Select(c => $"({c})")),
            };
            lines.AddRange(Wrap(head + when));
        }
        return lines;
    }

    private static bool SameTarget(SyscallRule a, SyscallRule b) =>
        a.Action == b.Action && a.ErrnoRet == b.ErrnoRet && a.Names!.SequenceEqual(b.Names!) && a.Args is { Count: > 0 } && b.Args is { Count: > 0 };

    private static string Action(string name, uint? errno)
    {
        var verb = name["SCMP_ACT_".Length..].ToLowerInvariant();
        return SeccompNames.TakesErrno(name) ? $"{verb} {Errno(errno ?? SeccompNames.EPERM)}" : verb;
    }

    private static string Errno(uint errno) => SeccompNames.Errnos.FirstOrDefault(kv => kv.Value == errno).Key ?? errno.ToString();

    private static string Condition(ArgCondition c) => c.Op switch
    {
        "SCMP_CMP_MASKED_EQ" => $"arg{c.Index} & 0x{c.Value:x} == 0x{c.ValueTwo:x}",
        _ => $"arg{c.Index} {Operator(c.Op!)} 0x{c.Value:x}",
    };

    private static string Operator(string op) => op switch
    {
        "SCMP_CMP_NE" => "!=",
        "SCMP_CMP_LT" => "<",
        "SCMP_CMP_LE" => "<=",
        "SCMP_CMP_EQ" => "==",
        "SCMP_CMP_GE" => ">=",
        _ => ">",
    };

    private static string Arch(uint token) => SeccompNames.NameOfArch(token)["SCMP_ARCH_".Length..].ToLowerInvariant();

    /// <summary>Breaks a long rule at spaces; continuation lines are indented.</summary>
    private static IEnumerable<string> Wrap(string text)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > Width)
            {
                yield return line.ToString();
                line.Clear().Append("    ");
            }
            else if (line.Length > 0 && line.ToString() != "    ")
            {
                line.Append(' ');
            }
            line.Append(word);
        }
        yield return line.ToString();
    }
}
