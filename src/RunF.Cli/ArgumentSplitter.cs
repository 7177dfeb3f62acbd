using System.CommandLine;

namespace RunF.Cli;

/// <summary>
/// runf's options stop at the first word of the command, so `runf ls -la` runs `ls -la`: this
/// inserts "--" before that word. Which options take a value is read from the command
/// definition, and a subcommand name counts only as the first word.
/// </summary>
public static class ArgumentSplitter
{
    public static string[] Split(RootCommand root, string[] args)
    {
        var takesValue = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in root.Options.Where(o => o.ValueType != typeof(bool)))
        {
            takesValue.Add(option.Name);
            takesValue.UnionWith(option.Aliases);
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
}
