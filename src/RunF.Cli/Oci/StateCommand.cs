using System.CommandLine;

namespace RunF.Cli.Oci;

/// <summary>`runf state ID`: the OCI state JSON on stdout.</summary>
public static class StateCommand
{
    public static Command Create(OciGlobals globals)
    {
        var id = new Argument<string>("id") { Description = "The container's id" };
        var command = new Command("state", "Print the container's OCI state (JSON)") { id };
        command.SetAction(result =>
        {
            var json = globals.Runtime().State(result.GetValue(id)!);
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(json);
            stdout.WriteByte((byte)'\n');
            return 0;
        });
        return command;
    }
}
