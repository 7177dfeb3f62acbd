using System.CommandLine;
using RunF.Runtime.Diagnostics;

namespace RunF.Cli.Commands;

/// <summary>`runf doctor`: can runf run here, and if not, what to change.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var rootfs = new Option<string>("--rootfs") { Description = "The rootfs to check", DefaultValueFactory = _ => "rootfs", HelpName = "DIR" };
        var cgroupParent = new Option<string?>("--cgroup-parent") { Description = "Check this delegated cgroup (as runf --cgroup-parent takes it) instead of runf's own", HelpName = "PATH" };
        var command = new Command("doctor", "Check that this environment can run function containers, and say how to fix it") { rootfs, cgroupParent };
        command.SetAction(result =>
        {
            var checks = Doctor.Run(result.GetValue(rootfs)!, result.GetValue(cgroupParent));
            foreach (var check in checks)
            {
                var status = check.Ok ? "ok  " : check.Required ? "FAIL" : "warn";
                Console.Out.WriteLine($"{status}  {check.Name}: {check.Detail}");
            }
            var ok = checks.All(c => c.Ok || !c.Required);
            Console.Out.WriteLine(ok ? "runf can run function containers here" : "runf cannot run function containers here: fix the FAIL lines");
            return ok ? 0 : 1;
        });
        return command;
    }
}
