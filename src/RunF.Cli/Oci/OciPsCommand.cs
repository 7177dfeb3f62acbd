using System.CommandLine;

namespace RunF.Cli.Oci;

/// <summary>`runf ps [--format table|json] ID`: the container's processes (runf's own `runf ps` lists its containers).</summary>
public static class OciPsCommand
{
    public static Command Create(OciGlobals globals)
    {
        var id = new Argument<string>("id") { Description = "The container's id" };
        var format = new Option<string>("--format", "-f") { Description = "table or json (an array of pids)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("ps", "List the container's processes") { id, format };
        command.SetAction(result =>
        {
            var pids = globals.Runtime().Pids(result.GetValue(id)!);
            if (result.GetValue(format) == "json")
            {
                Console.Out.WriteLine($"[{string.Join(",", pids)}]");
                return 0;
            }
            Console.Out.WriteLine($"{"PID",8}  CMD");
            foreach (var pid in pids)
            {
                var cmdline = RunF.Interop.WholeFile.Read($"/proc/{pid}/cmdline") is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes).Replace('\0', ' ').Trim() : "";
                Console.Out.WriteLine($"{pid,8}  {cmdline}");
            }
            return 0;
        });
        return command;
    }
}
