using System.CommandLine;
using RunF.Runtime.Oci;

namespace RunF.Cli.Oci;

/// <summary>`runf exec [--process F | ARGS] [--tty] [--detach] [--pid-file F] [--console-socket S] [--env K=V] [--cwd D] ID`.</summary>
public static class ExecCommand
{
    public static Command Create(OciGlobals globals)
    {
        var id = new Argument<string>("id") { Description = "The container's id" };
        var args = new Argument<string[]>("command") { Description = "The command and its arguments (unless --process)", Arity = ArgumentArity.ZeroOrMore };
        var process = new Option<string?>("--process", "-p") { Description = "A process.json (config.json's process object)", HelpName = "FILE" };
        var tty = new Option<bool>("--tty", "-t") { Description = "A terminal, sent to --console-socket" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the process runs" };
        var pidFile = new Option<string?>("--pid-file") { Description = "Write the process's pid there", HelpName = "FILE" };
        var consoleSocket = new Option<string?>("--console-socket") { Description = "Unix socket that receives the terminal's master", HelpName = "PATH" };
        var env = new Option<string[]>("--env", "-e") { Description = "KEY=VALUE, added to the config's environment", DefaultValueFactory = _ => [] };
        var cwd = new Option<string?>("--cwd") { Description = "Working directory in the container", HelpName = "DIR" };
        var command = new Command("exec", "Run another process in a running container") { id, args, process, tty, detach, pidFile, consoleSocket, env, cwd };
        command.SetAction(result =>
        {
            var runtime = globals.Runtime();
            var options = new OciExecOptions(result.GetValue(id)!, result.GetValue(process), result.GetValue(args) ?? [], result.GetValue(env) ?? [],
                result.GetValue(cwd), result.GetValue(tty), result.GetValue(detach), result.GetValue(pidFile), result.GetValue(consoleSocket));
            using var started = runtime.Exec(options);
            return options.Detach ? 0 : started.WaitForExit().ExitCode;
        });
        return command;
    }
}
