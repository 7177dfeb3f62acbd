using System.CommandLine;

namespace RunF.Cli.Oci;

/// <summary>`runf delete [--force] ID`.</summary>
public static class DeleteCommand
{
    public static Command Create(OciGlobals globals)
    {
        var id = new Argument<string>("id") { Description = "The container's id" };
        var force = new Option<bool>("--force", "-f") { Description = "Kill a created or running container first" };
        var command = new Command("delete", "Remove a stopped container (its cgroup and state); run its poststop hooks") { id, force };
        command.SetAction(result =>
        {
            globals.Runtime().Delete(result.GetValue(id)!, result.GetValue(force));
            return 0;
        });
        return command;
    }
}
