using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using RunF.Cli.Logging;
using RunF.Runtime.Errors;
using RunF.Runtime.Run;
using RunF.Runtime.Spec;

namespace RunF.Cli.Commands;

/// <summary>`runf [OPTIONS] COMMAND [ARG...]`: the options of a run, on the root command.</summary>
public static class RunCommand
{
    public static void AddTo(Command root, long startedAt)
    {
        var rootfs = new Option<string>("--rootfs") { Description = "The container's root filesystem", DefaultValueFactory = _ => "rootfs", HelpName = "DIR" };
        var env = Many("--env", "-e", "Set an environment variable (KEY=VALUE, or KEY to pass the executor's)", "KEY=VALUE");
        var envFile = Many("--env-file", null, "Read environment variables from a file", "FILE");
        var hostname = new Option<string?>("--hostname") { Description = "Container hostname (default: its name)", HelpName = "NAME" };
        var name = new Option<string?>("--name") { Description = "The container's name for runf ps and kill (default: a random adjective_surname)", HelpName = "NAME" };
        var entrypoint = new Option<string?>("--entrypoint") { Description = "Run this instead of the image's Entrypoint and Cmd (\"\" for none)", HelpName = "CMD" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Accepted for docker's habit: runf always passes stdin (with -t, stdin must be a terminal)" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Give the command a terminal of its own (stdout and stderr both come through it)" };
        var user = new Option<string?>("--user", "-u") { Description = "Run as this user inside: a name or uid, and group, from the rootfs's /etc/passwd and /etc/group (default: the image's User, else root); needs subordinate ids (newuidmap)", HelpName = "USER[:GROUP]" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container (default /)", HelpName = "DIR" };
        var bind = Many("--bind", null, "Bind a host path, read-only unless :rw", "SRC:DST[:ro|rw]");
        var tmpfs = Many("--tmpfs", null, "Mount a writable tmpfs", "PATH[:SIZE]");
        var noTmp = new Option<bool>("--no-tmp") { Description = "No writable tmpfs on /tmp" };
        var init = new Option<bool>("--init") { Description = "Accepted for docker's habit: runf-init is PID 1 unless --no-init" };
        var noInit = new Option<bool>("--no-init") { Description = "Make the command PID 1, without runf-init (which forwards signals, reaps zombies and exits with the command's status)" };
        var noDns = new Option<bool>("--no-dns") { Description = "Do not bind the executor's /etc/resolv.conf and /etc/hosts" };
        var securityOpt = Many("--security-opt", null, "systempaths=unconfined: unmasked /proc and /sys, for an executor that runs runf inside", "OPT");
        var capAdd = Many("--cap-add", null, "Add a capability", "CAP");
        var capDrop = Many("--cap-drop", null, "Drop a capability", "CAP");
        var ulimit = Many("--ulimit", null, "Set a resource limit (default nofile=1024:1024)", "NAME=SOFT[:HARD]");
        var timeout = new Option<string?>("--timeout") { Description = "Stop the container after this long (SIGTERM, then SIGKILL); exit 124", HelpName = "DURATION" };
        var stopTimeout = new Option<string?>("--stop-timeout") { Description = "After --timeout's SIGTERM, or a SIGTERM, SIGINT or SIGHUP runf passes on, how long before SIGKILL (default 2s)", HelpName = "DURATION" };
        var report = new Option<string?>("--report") { Description = "Write a JSON report of the run (exit, times, memory) to FILE", HelpName = "FILE" };
        var reportFd = new Option<int?>("--report-fd") { Description = "Write the JSON report to this inherited file descriptor", HelpName = "N", CustomParser = r => (int?)WholeNumber(r, int.MinValue, int.MaxValue) };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit (e.g. 64m); an OOM kill exits 137", HelpName = "SIZE" };
        var memorySwap = new Option<string?>("--memory-swap") { Description = "Memory plus swap limit, or -1 for unlimited swap", HelpName = "SIZE" };
        var pidsLimit = new Option<long?>("--pids-limit") { Description = "Maximum number of processes", HelpName = "N", CustomParser = r => WholeNumber(r) };
        var cpus = new Option<string?>("--cpus") { Description = "CPU time limit in CPUs (e.g. 0.5)", HelpName = "N" };
        var cpuShares = new Option<long?>("--cpu-shares") { Description = "Relative CPU weight, cgroup v1 style (2-262144)", HelpName = "N", CustomParser = r => WholeNumber(r) };
        var cpuWeight = new Option<long?>("--cpu-weight") { Description = "Relative CPU weight, cgroup v2 style (1-10000)", HelpName = "N", CustomParser = r => WholeNumber(r) };
        var cgroupParent = new Option<string?>("--cgroup-parent") { Description = "Cgroup under which the container's cgroup is made (default: runf's own)", HelpName = "PATH" };
        var cgroups = new Option<string>("--cgroups") { Description = "auto: a cgroup when possible; required; off", DefaultValueFactory = _ => "auto" };
        cgroups.AcceptOnlyFromAmong("auto", "required", "off");
        var seccomp = new Option<string>("--seccomp") { Description = "Syscall filter: default, unconfined, or a Docker/OCI profile file", DefaultValueFactory = _ => "default", HelpName = "default|unconfined|PROFILE.json" };
        var netBind = new Option<string>("--net-bind") { Description = "TCP ports the container may bind in the shared network: any, none, or ports such as 8080,9000-9009 (Landlock)", DefaultValueFactory = _ => "any", HelpName = "any|none|PORTS" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the setup plan instead of running it" };
        var debugTiming = new Option<bool>("--debug-timing") { Description = "Print where the start-up time goes" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log what runf does to stderr" };
        var logFormat = new Option<string>("--log-format") { Description = "Log format: text or json", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "The command to run and its arguments", CustomParser = Strings, DefaultValueFactory = _ => [] };

        foreach (var option in (Option[])[rootfs, env, envFile, hostname, name, entrypoint, interactive, tty, user, workdir, bind, tmpfs, noTmp, noDns, init, noInit, securityOpt, capAdd, capDrop, ulimit, seccomp, netBind, memory, memorySwap, pidsLimit, cpus, cpuShares, cpuWeight, cgroupParent, cgroups, timeout, stopTimeout, report, reportFd, dryRun, debugTiming, verbose, logFormat])
        {
            root.Options.Add(option);
        }
        root.Arguments.Add(command);
        root.SetAction(result =>
        {
            var parsedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            LogSetup.Configure(result.GetValue(verbose), result.GetValue(logFormat)!);
            var request = new RunRequest
            {
                Rootfs = result.GetValue(rootfs)!,
                Command = result.GetValue(command) ?? [],
                Env = result.GetValue(env) ?? [],
                EnvFiles = result.GetValue(envFile) ?? [],
                Hostname = result.GetValue(hostname),
                Name = result.GetValue(name),
                Entrypoint = result.GetValue(entrypoint),
                WorkingDir = result.GetValue(workdir),
                User = result.GetValue(user),
                Binds = result.GetValue(bind) ?? [],
                Tmpfs = result.GetValue(tmpfs) ?? [],
                NoTmp = result.GetValue(noTmp),
                NoDns = result.GetValue(noDns),
                Init = InitChoice(result.GetValue(init), result.GetValue(noInit)),
                Tty = result.GetValue(tty),
                Interactive = result.GetValue(interactive),
                SecurityOpts = result.GetValue(securityOpt) ?? [],
                CapAdd = result.GetValue(capAdd) ?? [],
                CapDrop = result.GetValue(capDrop) ?? [],
                Ulimits = result.GetValue(ulimit) ?? [],
                Seccomp = result.GetValue(seccomp)!,
                NetBind = result.GetValue(netBind)!,
                Memory = result.GetValue(memory),
                MemorySwap = result.GetValue(memorySwap),
                PidsLimit = result.GetValue(pidsLimit),
                Cpus = result.GetValue(cpus),
                CpuShares = result.GetValue(cpuShares),
                CpuWeight = result.GetValue(cpuWeight),
                CgroupParent = result.GetValue(cgroupParent),
                Cgroups = result.GetValue(cgroups)!,
            };
            var settings = new RunSettings
            {
                PlanOutput = result.GetValue(dryRun) ? Console.Out : null,
                TimingOutput = result.GetValue(debugTiming) ? Console.Error : null,
                Timeout = result.GetValue(timeout) is { } t ? Duration.Parse(t, "--timeout") : null,
                StopTimeout = result.GetValue(stopTimeout) is { } st ? Duration.Parse(st, "--stop-timeout") : TimeSpan.FromSeconds(2),
                ReportPath = result.GetValue(report),
                ReportFd = result.GetValue(reportFd),
                StartedAt = startedAt,
                ParsedAt = parsedAt,
            };
            // A run leaves Console alone (setting it up starts .NET's terminal and signal handling):
            // the container writes to the descriptors it inherits.
            return ContainerRunner.Run(request, ImageDefaultsLoader.Load(request.Rootfs), settings);
        });
    }

    private static bool InitChoice(bool init, bool noInit) => init && noInit
        ? throw new RunfException("--init and --no-init contradict each other: runf-init is PID 1 by default, so drop --init, or drop --no-init to keep it")
        : !noInit;

    private static Option<string[]> Many(string name, string? alias, string description, string helpName)
    {
        var option = alias is null ? new Option<string[]>(name) : new Option<string[]>(name, alias);
        option.Description = description;
        option.HelpName = helpName;
        option.Arity = ArgumentArity.OneOrMore;
        option.AllowMultipleArgumentsPerToken = false;
        option.CustomParser = Strings;
        option.DefaultValueFactory = _ => [];
        return option;
    }

    /// <summary>
    /// The tokens as they are. Without a parser (and a default, for a list that is absent)
    /// System.CommandLine makes the array with Array.CreateInstance, which starts NativeAOT's
    /// reflection on every run.
    /// </summary>
    private static string[] Strings(ArgumentResult result) => [.. result.Tokens.Select(t => t.Value)];

    /// <summary>
    /// A whole number that fits the option's type, or one error that names the option, instead of
    /// System.CommandLine's "as expected type 'System.Nullable`1[System.Int64]'". The ranges that
    /// make sense are checked where the value is used.
    /// </summary>
    private static long? WholeNumber(ArgumentResult result, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = result.Tokens is [var token] ? token.Value : "";
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }
        var name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
        result.AddError($"invalid {name} {text}: expected a whole number");
        return null;
    }
}
