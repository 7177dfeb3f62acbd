using System.CommandLine;
using RunF.Runtime.IO;
using RunF.Runtime.State;

namespace RunF.Cli.Commands;

/// <summary>`runf ps`: the caller's running containers.</summary>
public static class PsCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("ps", "List running containers") { format };
        command.SetAction(result =>
        {
            var running = ContainerList.Running(StateDirectory.ForCurrentUser());
            if (result.GetValue(format) == "json")
            {
                WriteJson(running);
                return 0;
            }
            Console.Out.WriteLine($"{"ID",-28} {"PID",8}  {"STARTED",-20}  COMMAND");
            foreach (var c in running)
            {
                Console.Out.WriteLine($"{c.Id,-28} {c.Pid,8}  {c.Started.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {string.Join(' ', c.Command)}");
            }
            return 0;
        });
        return command;
    }

    private static void WriteJson(IReadOnlyList<ContainerState> running)
    {
        var bytes = JsonText.Write(json =>
        {
            json.WriteStartArray();
            foreach (var c in running)
            {
                ContainerStateJson.Write(json, c);
            }
            json.WriteEndArray();
        }, indented: true);
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(bytes);
        stdout.WriteByte((byte)'\n');
    }
}
