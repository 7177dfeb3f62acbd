using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Oci;

/// <summary>What `runf exec` is given: a process file (podman's, containerd's) or arguments with a few options over the config's process.</summary>
public sealed record OciExecOptions(string Id, string? ProcessFile, IReadOnlyList<string> Args, IReadOnlyList<string> Env, string? Cwd, bool Tty,
    bool Detach, string? PidFile, string? ConsoleSocket);

/// <summary>
/// `runf exec`: another process in a running container, joining its namespaces and cgroup and
/// confined as its config says (capabilities, seccomp, no_new_privs, user). The pid namespace is
/// entered by this thread before the clone (setns into a pid namespace moves only the children to
/// come), which is the thread the launcher clones from.
/// </summary>
public static class OciExec
{
    public static ContainerProcess Start(OciStateStore store, OciExecOptions options, Action<string> warn)
    {
        var record = store.Read(options.Id);
        var status = record.Status(store.FifoOf(options.Id));
        if (status != "running")
        {
            throw new RunfException($"container {options.Id} is {status}: runf exec needs a running container");
        }
        var config = store.Config(options.Id);
        var process = Process(config, options);
        if (process.Terminal != !string.IsNullOrEmpty(options.ConsoleSocket))
        {
            throw new RunfException(process.Terminal
                ? "the process has a terminal: pass --console-socket SOCKET, where the engine receives it"
                : "--console-socket is given but the process has no terminal (--tty)");
        }
        var warnings = new List<string>();
        var plan = new OciPlanBuilder(HostProbe.Shared, OciCaller.Current()).BuildExec(config, process, record.Pid, options.Detach, warnings);
        warnings.ForEach(warn);
        if (config.Linux?.Namespaces?.Any(n => n.Type == "pid") == true)
        {
            using var pidns = Libc.Open($"/proc/{record.Pid}/ns/pid", Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (pidns.IsInvalid || Libc.SetNs(pidns, (int)Namespaces.NewPid) != 0)
            {
                throw new RunfException($"cannot enter the pid namespace of container {options.Id}: {Errno.Describe(Errno.Last)}");
            }
        }
        var cgroup = record.CgroupPath is { } path ? OciCgroups.Open(path) : null;
        Libc.Umask(process.User?.Umask ?? 0x12);
        var started = ContainerLauncher.Start(plan, record.Rootfs, cgroup is null ? null : cgroup.Join);
        try
        {
            if (process.Terminal)
            {
                OciRuntime.SendTerminal(started, options.ConsoleSocket!);
            }
            if (!string.IsNullOrEmpty(options.PidFile) && IO.AtomicFile.Write(Path.GetFullPath(options.PidFile), System.Text.Encoding.ASCII.GetBytes(started.Pid.ToString())) is var err and not 0)
            {
                throw new RunfException($"cannot write --pid-file {options.PidFile}: {Errno.Describe(err)}");
            }
            return started;
        }
        catch
        {
            started.Signal(Signals.SIGKILL);
            started.Dispose();
            throw;
        }
    }

    private static OciProcess Process(OciConfig config, OciExecOptions options)
    {
        if (options.ProcessFile is { } file)
        {
            if (options.Args.Count > 0)
            {
                throw new RunfException("runf exec: give --process FILE or the command's arguments, not both");
            }
            var bytes = WholeFile.Read(file) ?? throw new RunfException($"cannot read --process {file}: {Errno.Describe(Errno.Last)}");
            return OciConfigLoader.ParseProcess(bytes, file);
        }
        if (options.Args.Count == 0)
        {
            throw new RunfException("runf exec: name the command to run (or --process FILE)");
        }
        var baseProcess = config.Process ?? new OciProcess();
        return baseProcess with
        {
            Args = options.Args,
            Env = [.. baseProcess.Env ?? [], .. options.Env],
            Cwd = options.Cwd ?? baseProcess.Cwd,
            Terminal = options.Tty,
            ConsoleSize = null,
        };
    }
}
