using System.CommandLine;
using RunF.Cli.Commands;
using RunF.Runtime.Errors;

namespace RunF.Cli;

/// <summary>Builds runf's command tree, parses, and turns every failure into one line and an exit code.</summary>
public static class RunfCommandLine
{
    private const string Description = "Run a command in a rootless, read-only function container.";

    /// <summary>The verbs, by name: a run builds only the one its first word names.</summary>
    private static readonly (string Name, Func<Command> Create)[] Verbs =
    [
        ("rootfs", RootfsCommand.Create),
        ("doctor", DoctorCommand.Create),
        ("ps", PsCommand.Create),
        ("kill", KillCommand.Create),
        (ServeCommand.Name, ServeCommand.Create),
    ];

    /// <summary>
    /// "@0" names an image (runf rootfs extract --image @0), and a command's own "@file" argument
    /// is its business: no word is read as a response file.
    /// </summary>
    private static readonly ParserConfiguration NoResponseFiles = new() { ResponseFileTokenReplacer = null };

    public static int Invoke(string[] args, long startedAt)
    {
        // runc's command line (create, start, state...): engines call runf as their OCI runtime.
        if (Oci.OciCommandLine.Routes(args))
        {
            return Oci.OciCommandLine.Invoke(args);
        }

        // serve's arguments belong to runf-serve, --help included: handed over before any parsing.
        if (args is [ServeCommand.Name, .. var serveArgs])
        {
            return Run(() => ServeCommand.Exec(serveArgs), json: false);
        }

        // A RootCommand's help option reads System.CommandLine's resources on construction, on
        // every container start (bench/README.md); a run that asks for neither help nor the version
        // parses with a plain command holding the same options, and with only the verb its first
        // word names (a verb counts only as the first word): the others would be built for nothing.
        var help = AsksForHelpOrVersion(args);
        var root = help ? new RootCommand(Description) : new Command("runf", Description);
        var verb = args.Length > 0 ? Array.FindIndex(Verbs, v => v.Name == args[0]) : -1;
        if (verb < 0)
        {
            RunCommand.AddTo(root, startedAt);
        }
        // A verb's usage line is "runf rootfs extract ...", not the run's "runf [<command>...] ...".
        foreach (var (name, create) in verb < 0 && help ? Verbs : verb >= 0 ? [Verbs[verb]] : [])
        {
            root.Subcommands.Add(create());
        }

        return Run(() =>
        {
            var result = root.Parse(ArgumentSplitter.Split(root, args), NoResponseFiles);
            if (result.Errors.Count > 0)
            {
                throw new RunfException(ParseError(result));
            }
            // runf forwards SIGINT/SIGTERM to the container itself: no cancellation handlers, and
            // exceptions reach the catch below instead of a stack trace.
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }, WantsJson(args));
    }

    /// <summary>
    /// The parse error a user can act on: a misspelt verb ("rootfs extrct") is named with the
    /// verbs there are, not as the "required command was not provided" that comes first.
    /// </summary>
    private static string ParseError(ParseResult result)
    {
        var command = result.CommandResult.Command;
        if (command.Subcommands.Count > 0 && result.UnmatchedTokens.Count > 0)
        {
            return $"unknown verb \"{command.Name} {result.UnmatchedTokens[0]}\": expected {string.Join(" or ", command.Subcommands.Select(c => $"{command.Name} {c.Name}"))} (see runf {command.Name} --help)";
        }
        return $"{Lowercase(result.Errors[0].Message)} (see runf --help)";
    }

    private static int Run(Func<int> verb, bool json) => Failures.Report(verb, "runf", json);

    /// <summary>--log-format json: the error line is a JSON event as the log lines are.</summary>
    private static bool WantsJson(string[] args)
    {
        for (var i = 0; i < args.Length && args[i] != "--"; i++)
        {
            if (args[i] == "--log-format=json" || (args[i] == "--log-format" && i + 1 < args.Length && args[i + 1] == "json"))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether a token asks for the help or version options of a RootCommand.</summary>
    private static bool AsksForHelpOrVersion(string[] args)
    {
        foreach (var arg in args)
        {
            if (arg is "-h" or "--help" or "-?" or "/?" or "/h" or "--version")
            {
                return true;
            }
        }
        return false;
    }

    private static string Lowercase(string message) =>
        (message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message).TrimEnd('.');
}
