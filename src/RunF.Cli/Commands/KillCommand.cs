using System.CommandLine;
using RunF.Runtime.Errors;
using RunF.Runtime.Launch;
using RunF.Runtime.State;

namespace RunF.Cli.Commands;

/// <summary>`runf kill ID [SIGNAL]`: signals a running container's PID 1 (default TERM).</summary>
public static class KillCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The container's id (from runf ps)" };
        var signal = new Argument<string>("signal") { Description = "Signal name or number", DefaultValueFactory = _ => "TERM" };
        var command = new Command("kill", "Send a signal to a running container") { id, signal };
        command.SetAction(result =>
        {
            var number = Signals.Parse(result.GetValue(signal)!);
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
