using System.CommandLine;
using RunF.Runtime.Oci;

namespace RunF.Cli.Oci;

/// <summary>`runf features`: the runtime-spec features JSON.</summary>
public static class FeaturesCommand
{
    public static Command Create(OciGlobals globals)
    {
        var command = new Command("features", "Print what this runtime supports (runtime-spec features JSON)");
        command.SetAction(_ =>
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(OciFeatures.Json());
            stdout.WriteByte((byte)'\n');
            return 0;
        });
        return command;
    }
}
