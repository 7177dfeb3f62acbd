using System.CommandLine;
using System.Text.Json;
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
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var c in running)
            {
                json.WriteStartObject();
                json.WriteString("id", c.Id);
                json.WriteNumber("pid", c.Pid);
                json.WriteString("rootfs", c.Rootfs);
                json.WriteStartArray("command");
                c.Command.ToList().ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteString("started", c.Started);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }
}
