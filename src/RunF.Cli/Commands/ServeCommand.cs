using System.CommandLine;
using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Cli.Commands;

/// <summary>
/// `runf serve [ARGS]`: the HTTP function executor. It is its own binary, runf-serve beside
/// runf, so that Kestrel does not weigh on every runf start; runf execs it with the arguments
/// untouched (runf-serve parses them, and answers --help).
/// </summary>
public static class ServeCommand
{
    public const string Name = "serve";

    /// <summary>Listed in runf --help; the arguments never reach System.CommandLine (see Exec).</summary>
    public static Command Create() =>
        new(Name, "Serve the function over HTTP, a drop-in for the OpenFaaS watchdog (runf serve --help)");

    /// <summary>Replaces runf with runf-serve; returns only on failure.</summary>
    public static int Exec(string[] args)
    {
        var self = Path.GetDirectoryName(Environment.ProcessPath ?? "/proc/self/exe") ?? "/";
        var serve = Path.Combine(self, "runf-serve");
        if (!File.Exists(serve))
        {
            throw new RunfException($"serve needs {serve}, which is missing: install runf-serve beside runf (./build.sh does)");
        }
        var argv = new string?[args.Length + 2];
        argv[0] = serve;
        args.CopyTo(argv, 1);
        Libc.Execv(serve, argv);
        throw CheckIo<RunfException>.Error("run", serve);
    }
}
