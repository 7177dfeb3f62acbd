using System.CommandLine;
using RunF.Runtime.Oci;

namespace RunF.Cli.Oci;

/// <summary>
/// `runf run [--detach] ... ID`: create and start. In the foreground runf waits for the container
/// (its child), deletes it and exits with its status; detached, it returns once the process runs.
/// </summary>
public static class OciRunCommand
{
    public static Command Create(OciGlobals globals)
    {
        var options = new CreateOptions();
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the container's process runs" };
        var command = new Command("run", "Create and start a container; wait for it unless --detach") { detach };
        options.AddTo(command);
        command.SetAction(result =>
        {
            var runtime = globals.Runtime();
            var create = options.Read(result, globals);
            using var held = runtime.Create(create);
            try
            {
                runtime.Start(create.Id);
                held.WaitForExec();
            }
            catch
            {
                runtime.Delete(create.Id, force: true);
                throw;
            }
            if (result.GetValue(detach))
            {
                held.Abandon();
                return 0;
            }
            var exit = held.Process.WaitForExit();
            runtime.Delete(create.Id, force: true);
            return exit.ExitCode;
        });
        return command;
    }
}
