using System.CommandLine;
using RunF.Runtime.Errors;
using RunF.Runtime.Oci;

namespace RunF.Cli.Oci;

/// <summary>
/// runc's command line, which podman, containerd and Kubernetes call: `runf [GLOBAL OPTIONS] VERB
/// ...` for create, start, state, kill, delete, run, ps, exec, features, spec. It shares two verbs with runf's own
/// command line: `runf kill ID` and `runf ps` stay runf's (its containers by name) unless global
/// options come first, `ps` names a container, or `kill` names an OCI container of the default
/// --root. `runf COMMAND` is untouched: only a first word that is one of these verbs (or a global
/// option followed by one) comes here, decided before anything else is built.
/// </summary>
public static class OciCommandLine
{
    /// <summary>The verbs only the OCI command line has.</summary>
    private static readonly string[] OwnVerbs = ["create", "start", "state", "delete", "run", "exec", "features", "spec"];

    private static readonly (string Name, Func<OciGlobals, Command> Create)[] Verbs =
    [
        ("create", CreateCommand.Create),
        ("start", g => IdCommand("start", "Start a created container: it executes its process", (rt, id) => rt.Start(id), g)),
        ("state", StateCommand.Create),
        ("kill", OciKillCommand.Create),
        ("delete", DeleteCommand.Create),
        ("run", OciRunCommand.Create),
        ("ps", OciPsCommand.Create),
        ("exec", ExecCommand.Create),
        ("features", FeaturesCommand.Create),
        ("spec", SpecCommand.Create),
    ];

    public static bool Routes(string[] args)
    {
        var verb = OciGlobals.Parse(args, null);
        if (verb >= args.Length)
        {
            return false;
        }
        var word = args[verb];
        if (verb > 0)
        {
            return Verbs.Any(v => v.Name == word);
        }
        if (OwnVerbs.Contains(word))
        {
            return true;
        }
        return word switch
        {
            "ps" => FirstOperand(args, "--format", "-f") is not null,
            "kill" => FirstOperand(args, "--signal", "-s") is { } id && IsOciContainer(id),
            _ => false,
        };
    }

    /// <summary>The first word after the verb that is neither an option nor the value of one of valued.</summary>
    private static string? FirstOperand(string[] args, params string[] valued)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (valued.Contains(args[i]))
            {
                i++;
            }
            else if (!args[i].StartsWith('-'))
            {
                return args[i];
            }
        }
        return null;
    }

    /// <summary>Whether the default --root holds a container of this id (runf kill ID for an OCI container).</summary>
    private static bool IsOciContainer(string id)
    {
        try
        {
            OciStateStore.CheckId(id);
            return File.Exists(Path.Combine(OciStateStore.DefaultRoot(), id, "state.json"));
        }
        catch (RunfException)
        {
            return false;
        }
    }

    public static int Invoke(string[] args)
    {
        var globals = new OciGlobals();
        var json = args.Contains("--log-format=json") || args.Zip(args.Skip(1)).Any(p => p is ("--log-format", "json"));
        return Failures.Report(() =>
        {
            try
            {
                var at = OciGlobals.Parse(args, globals);
                var root = new Command("runf", "The OCI runtime command line (runc's)");
                var verb = Verbs.First(v => v.Name == args[at]);
                root.Subcommands.Add(verb.Create(globals));
                var result = root.Parse(args[at..], new ParserConfiguration { ResponseFileTokenReplacer = null });
                if (result.Errors.Count > 0)
                {
                    throw new RunfException($"{result.Errors[0].Message.TrimEnd('.')} (see runf {args[at]} --help)");
                }
                return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
            }
            catch (RunfException e)
            {
                globals.Error(e.Message);
                throw;
            }
        }, "runf", json);
    }

    /// <summary>A verb that takes only the container id.</summary>
    internal static Command IdCommand(string name, string description, Action<OciRuntime, string> act, OciGlobals globals)
    {
        var id = new Argument<string>("id") { Description = "The container's id" };
        var command = new Command(name, description) { id };
        command.SetAction(result =>
        {
            act(globals.Runtime(), result.GetValue(id)!);
            return 0;
        });
        return command;
    }
}
