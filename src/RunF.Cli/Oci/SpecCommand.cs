using System.CommandLine;
using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Oci;

namespace RunF.Cli.Oci;

/// <summary>`runf spec [--rootless] [--bundle DIR]`: writes a starting config.json, as runc spec.</summary>
public static class SpecCommand
{
    public static Command Create(OciGlobals globals)
    {
        var rootless = new Option<bool>("--rootless") { Description = "A config for an unprivileged caller: a user namespace mapping its ids" };
        var bundle = new Option<string>("--bundle", "-b") { Description = "Where to write config.json", DefaultValueFactory = _ => ".", HelpName = "DIR" };
        var command = new Command("spec", "Write a starting config.json for a bundle") { rootless, bundle };
        command.SetAction(result =>
        {
            var file = Path.Combine(result.GetValue(bundle)!, "config.json");
            if (File.Exists(file))
            {
                throw new RunfException($"{file} exists: remove it or pass another --bundle");
            }
            File.WriteAllText(file, OciFeatures.Spec(result.GetValue(rootless), Libc.GetEuid(), Libc.GetEgid()));
            return 0;
        });
        return command;
    }
}
