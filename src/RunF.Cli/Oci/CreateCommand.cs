using System.CommandLine;
using RunF.Runtime.Errors;
using RunF.Runtime.Oci;

namespace RunF.Cli.Oci;

/// <summary>`runf create [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot] [--no-new-keyring] ID`.</summary>
public static class CreateCommand
{
    public static Command Create(OciGlobals globals)
    {
        var options = new CreateOptions();
        var command = new Command("create", "Create a container from a bundle: set up, waiting for runf start");
        options.AddTo(command);
        command.SetAction(result =>
        {
            var held = globals.Runtime().Create(options.Read(result, globals));
            // runf create exits; the container waits at its gate for runf start.
            held.Abandon();
            return 0;
        });
        return command;
    }
}

/// <summary>The options create and run share.</summary>
internal sealed class CreateOptions
{
    private readonly Argument<string> _id = new("id") { Description = "The container's id" };
    private readonly Option<string?> _bundle = new("--bundle", "-b") { Description = "The bundle directory (config.json and the rootfs); default: the current directory", HelpName = "DIR" };
    private readonly Option<string?> _pidFile = new("--pid-file") { Description = "Write the container's PID 1 there", HelpName = "FILE" };
    private readonly Option<string?> _consoleSocket = new("--console-socket") { Description = "Unix socket that receives the terminal's master (process.terminal)", HelpName = "PATH" };
    private readonly Option<bool> _noPivot = new("--no-pivot") { Description = "Accepted; runf always uses pivot_root (the rootfs is bound first, so it works on any filesystem but an initramfs)" };
    private readonly Option<bool> _noNewKeyring = new("--no-new-keyring") { Description = "Accepted: runf never makes a session keyring" };
    private readonly Option<int> _preserveFds = new("--preserve-fds") { Description = "Only 0: runf passes no extra descriptors" };

    public void AddTo(Command command)
    {
        command.Arguments.Add(_id);
        foreach (var option in (Option[])[_bundle, _pidFile, _consoleSocket, _noPivot, _noNewKeyring, _preserveFds])
        {
            command.Options.Add(option);
        }
    }

    public OciCreateOptions Read(ParseResult result, OciGlobals globals)
    {
        if (result.GetValue(_preserveFds) != 0)
        {
            throw new RunfException("--preserve-fds is not supported by runf: it passes the container only stdin, stdout and stderr");
        }
        if (result.GetValue(_noPivot))
        {
            globals.Warn("--no-pivot: runf uses pivot_root anyway (the rootfs is bound onto itself first)");
        }
        return new OciCreateOptions(result.GetValue(_id)!, result.GetValue(_bundle), result.GetValue(_pidFile), result.GetValue(_consoleSocket));
    }
}
