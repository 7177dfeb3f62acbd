using System.CommandLine;
using RunF.Cli.Commands;
using RunF.Runtime.Errors;

namespace RunF.Cli;

/// <summary>Builds runf's command tree, parses, and turns every failure into one line and an exit code.</summary>
public static class RunfCommandLine
{
    public static int Invoke(string[] args, long startedAt)
    {
        var root = new RootCommand("Run a command in a rootless, read-only function container.");
        RunCommand.AddTo(root, startedAt);
        root.Subcommands.Add(RootfsCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(PsCommand.Create());
        root.Subcommands.Add(KillCommand.Create());

        try
        {
            var result = root.Parse(ArgumentSplitter.Split(root, args));
            if (result.Errors.Count > 0)
            {
                Console.Error.WriteLine($"runf: {Lowercase(result.Errors[0].Message)} (see runf --help)");
                return ExitCodes.RunfError;
            }
            // runf forwards SIGINT/SIGTERM to the container itself: no cancellation handlers, and
            // exceptions reach the catch below instead of a stack trace.
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (RunfException e)
        {
            Console.Error.WriteLine($"runf: {e.Message}");
            return e.ExitCode;
        }
    }

    private static string Lowercase(string message) =>
        (message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message).TrimEnd('.');
}
