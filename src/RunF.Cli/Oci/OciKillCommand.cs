using System.CommandLine;
using RunF.Runtime.Launch;

namespace RunF.Cli.Oci;

/// <summary>`runf kill [--all] ID [SIGNAL]`: runc's, TERM by default (runf's own `runf kill NAME` sends KILL).</summary>
public static class OciKillCommand
{
    public static Command Create(OciGlobals globals)
    {
        var id = new Argument<string>("id") { Description = "The container's id" };
        var signal = new Argument<string>("signal") { Description = "Signal name or number (default TERM)", DefaultValueFactory = _ => "TERM" };
        var all = new Option<bool>("--all", "-a") { Description = "Signal every process of the container's cgroup" };
        var command = new Command("kill", "Send a signal to the container's process") { id, signal, all };
        command.SetAction(result =>
        {
            globals.Runtime().Kill(result.GetValue(id)!, Signals.Parse(result.GetValue(signal)!), result.GetValue(all));
            return 0;
        });
        return command;
    }
}
