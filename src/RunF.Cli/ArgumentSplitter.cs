using System.CommandLine;
using RunF.Runtime.Errors;

namespace RunF.Cli;

/// <summary>
/// runf's options stop at the first word of the command, so `runf ls -la` runs `ls -la`: this
/// inserts "--" before that word. Which options take a value is read from the command
/// definition, and a subcommand name counts only as the first word. An option runf does not
/// know is an error here: after the split it would be taken for the command.
/// </summary>
public static class ArgumentSplitter
{
    public static string[] Split(Command root, string[] args)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        var takesValue = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in root.Options)
        {
            var names = option.Aliases.Append(option.Name);
            known.UnionWith(names);
            if (option.ValueType != typeof(bool))
            {
                takesValue.UnionWith(names);
            }
        }
        var subcommands = root.Subcommands.SelectMany(c => c.Aliases.Append(c.Name)).ToHashSet(StringComparer.Ordinal);

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                return args;
            }
            if (arg.StartsWith('-') && arg.Length > 1)
            {
                if (i + 1 < args.Length && DockerHabits.HintForPair(arg, args[i + 1]) is { } pairHint)
                {
                    throw new RunfException(pairHint);
                }
                var name = arg.Split('=')[0];
                if (IsBundle(arg, known, takesValue))
                {
                    continue;
                }
                if (!known.Contains(name))
                {
                    throw new RunfException(DockerHabits.HintFor(name) is { } hint
                        ? $"unknown option {name}: {hint}"
                        : $"unknown option {name} (see runf --help; put the command's own options after its name)");
                }
                if (!arg.Contains('=') && takesValue.Contains(arg))
                {
                    i++; // its value
                }
                continue;
            }
            if (i == 0 && subcommands.Contains(arg))
            {
                return args;
            }
            return [.. args[..i], "--", .. args[i..]];
        }
        return args;
    }

    /// <summary>
    /// Single-letter switches written together, as docker's -it: System.CommandLine reads "-it" as
    /// "-i -t" when every letter is a known option without a value.
    /// </summary>
    private static bool IsBundle(string arg, HashSet<string> known, HashSet<string> takesValue)
    {
        if (arg.Length < 3 || arg[1] == '-')
        {
            return false;
        }
        foreach (var letter in arg.AsSpan(1))
        {
            var option = "-" + letter;
            if (!known.Contains(option) || takesValue.Contains(option))
            {
                return false;
            }
        }
        return true;
    }
}
