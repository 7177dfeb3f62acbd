using System.CommandLine;
using RunF.Runtime.Errors;
using RunF.Runtime.Launch;
using RunF.Runtime.State;

namespace RunF.Cli.Commands;

/// <summary>
/// `runf kill ID [SIGNAL]` or `-s SIGNAL`: signals a running container's PID 1, KILL by default as
/// `docker kill` (a TERM that PID 1 does not handle would be dropped; `runf kill ID TERM` asks politely).
/// </summary>
public static class KillCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The container's id (from runf ps)" };
        var signal = new Argument<string?>("signal") { Description = "Signal name or number (default KILL)", Arity = ArgumentArity.ZeroOrOne };
        var signalOption = new Option<string?>("--signal", "-s") { Description = "Signal name or number, as docker kill's (default KILL)" };
        var command = new Command("kill", "Send a signal to a running container (KILL unless one is named)") { id, signal, signalOption };
        command.SetAction(result =>
        {
            var (given, named) = (result.GetValue(signal), result.GetValue(signalOption));
            if (given is not null && named is not null && given != named)
            {
                throw new RunfException($"runf kill: two signals given ({given} and --signal {named}): name one");
            }
            var number = Signals.Parse(given ?? named ?? "KILL");
            var name = result.GetValue(id)!;
            var container = ContainerList.Running(StateDirectory.ForCurrentUser()).FirstOrDefault(c => c.Id == name)
                ?? throw new RunfException($"no running container {name} (see runf ps)");
            using var process = ContainerProcess.Open(container.Pid)
                ?? throw new RunfException($"container {name} has exited");
            if (!process.Signal(number))
            {
                throw new RunfException($"cannot signal container {name}: it has exited");
            }
            return 0;
        });
        return command;
    }
}
