using RunF.Interop;
using RunF.Runtime.Create;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Interop;
using RunF.Runtime.IO;
using RunF.Runtime.Launch;

namespace RunF.Runtime.Oci;

/// <summary>What `runf create` (and run) are given besides the global options.</summary>
public sealed record OciCreateOptions(string Id, string? Bundle, string? PidFile, string? ConsoleSocket);

/// <summary>
/// The OCI runtime's operations on the containers of one --root, as runc's command line has them:
/// create leaves the container set up and waiting at its gate (the exec fifo), start opens the
/// gate, state reads the record and the process, kill signals it, delete removes what is left.
/// warn takes the lines an engine should see but that do not fail the operation.
/// </summary>
public sealed class OciRuntime(OciStateStore store, Action<string> warn)
{
    /// <summary>Creates the container; the caller abandons it (create) or starts and waits for it (run).</summary>
    public HeldContainer Create(OciCreateOptions options)
    {
        OciStateStore.CheckId(options.Id);
        var bundle = Libc.RealPath(string.IsNullOrEmpty(options.Bundle) ? "." : options.Bundle)
            ?? throw new RunfException($"bundle {options.Bundle} does not exist: pass the directory that holds config.json (--bundle)");
        var configBytes = WholeFile.Read(Path.Combine(bundle, "config.json"))
            ?? throw new RunfException($"cannot read {Path.Combine(bundle, "config.json")}: {Errno.Describe(Errno.Last)}: pass the bundle directory that holds config.json (--bundle)");
        var config = OciConfigLoader.Parse(configBytes, Path.Combine(bundle, "config.json"));
        store.Reserve(options.Id);
        try
        {
            return CreateReserved(options, bundle, config, configBytes);
        }
        catch
        {
            store.Remove(options.Id);
            throw;
        }
    }

    private HeldContainer CreateReserved(OciCreateOptions options, string bundle, OciConfig config, byte[] configBytes)
    {
        var id = options.Id;
        var translated = new OciPlanBuilder(HostProbe.Shared, OciCaller.Current()).Build(config, bundle, id, store.FifoOf(id));
        translated.Warnings.ToList().ForEach(warn);
        if (translated.Terminal && string.IsNullOrEmpty(options.ConsoleSocket))
        {
            throw new RunfException("config.json: process.terminal is true: pass --console-socket SOCKET, where the engine receives the terminal");
        }
        if (!translated.Terminal && !string.IsNullOrEmpty(options.ConsoleSocket))
        {
            throw new RunfException("--console-socket is given but process.terminal is false in config.json: set one or drop the other");
        }
        if (AtomicFile.Write(Path.Combine(store.DirOf(id), "config.json"), configBytes) is var e and not 0)
        {
            throw new RunfException($"cannot copy config.json into {store.DirOf(id)}: {Errno.Describe(e)}");
        }
        var cgroup = OciCgroups.Create(translated.Cgroup, id);
        // The child inherits runf's umask at the clone: process.user.umask (0022 unless given).
        Libc.Umask(translated.Umask);
        var held = ContainerFactory.Hold(translated.Plan, translated.Rootfs, cgroup, pid => WriteOomScoreAdj(pid, translated.OomScoreAdj));
        try
        {
            var stat = ProcStat.Read(held.Pid) ?? throw new RunfException("the container exited before it was ready");
            var record = new OciRecord(id, held.Pid, stat.StartTime, bundle, translated.Rootfs, DateTimeOffset.UtcNow,
                config.Annotations ?? [], cgroup is null ? null : translated.Cgroup!.Path);
            store.Write(record);
            if (translated.Terminal)
            {
                SendTerminal(held.Process, options.ConsoleSocket!);
            }
            var state = record.StateJson("created");
            OciHookRunner.Run(config.Hooks?.Prestart, "prestart", state, fatal: true, warn);
            OciHookRunner.Run(config.Hooks?.CreateRuntime, "createRuntime", state, fatal: true, warn);
            if (!string.IsNullOrEmpty(options.PidFile) && AtomicFile.Write(Path.GetFullPath(options.PidFile), System.Text.Encoding.ASCII.GetBytes(held.Pid.ToString())) is var err and not 0)
            {
                throw new RunfException($"cannot write --pid-file {options.PidFile}: {Errno.Describe(err)}");
            }
            return held;
        }
        catch
        {
            held.Process.Signal(Signals.SIGKILL);
            held.Dispose();
            cgroup?.Remove();
            throw;
        }
    }

    private static void WriteOomScoreAdj(int pid, int? score)
    {
        if (score is { } s && SmallFiles.Write($"/proc/{pid}/oom_score_adj", s.ToString()) is var errno and not 0)
        {
            throw new RunfException($"cannot set process.oomScoreAdj {s}: {Errno.Describe(errno)} (lowering it takes CAP_SYS_RESOURCE)");
        }
    }

    internal static void SendTerminal(ContainerProcess process, string socket)
    {
        using var master = process.Terminal ?? throw new RunfException("the container sent no terminal");
        var r = NativeLauncher.SendConsole(socket, (int)master.DangerousGetHandle());
        if (r < 0)
        {
            throw new RunfException($"cannot send the terminal to --console-socket {socket}: {Errno.Describe(-r)}");
        }
    }

    /// <summary>runf exec: another process in the running container (OciExec).</summary>
    public ContainerProcess Exec(OciExecOptions options) => OciExec.Start(store, options, warn);

    /// <summary>Opens the gate: the container execs its process.</summary>
    public void Start(string id)
    {
        var record = store.Read(id);
        var fifo = store.FifoOf(id);
        var status = record.Status(fifo);
        if (status != "created")
        {
            throw new RunfException($"container {id} is {status}, not created: only a created container can be started");
        }
        using (var gate = Libc.Open(fifo, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC))
        {
            if (gate.IsInvalid)
            {
                throw new RunfException($"container {id} cannot be started: {(Errno.Last == Errno.ENXIO ? "it has exited" : Errno.Describe(Errno.Last))}");
            }
            if (Libc.WriteAll(gate, "0"u8) != 0)
            {
                throw new RunfException($"container {id} cannot be started: {Errno.Describe(Errno.Last)}");
            }
        }
        Libc.Unlink(fifo);
        OciHookRunner.Run(store.Config(id).Hooks?.Poststart, "poststart", record.StateJson("running"), fatal: false, warn);
    }

    public byte[] State(string id)
    {
        var record = store.Read(id);
        return record.StateJson(record.Status(store.FifoOf(id)));
    }

    /// <summary>Signals PID 1, or with all every process of its cgroup.</summary>
    public void Kill(string id, int signal, bool all)
    {
        var record = store.Read(id);
        if (!record.IsAlive())
        {
            throw new RunfException($"container {id} is not running (stopped)");
        }
        if (all && record.CgroupPath is { } cgroup)
        {
            foreach (var pid in OciCgroups.Pids(cgroup))
            {
                using var p = ContainerProcess.Open(pid);
                p?.Signal(signal);
            }
            return;
        }
        using var process = ContainerProcess.Open(record.Pid);
        if (process is null || !record.IsAlive() || !process.Signal(signal))
        {
            throw new RunfException($"container {id} is not running (stopped)");
        }
    }

    /// <summary>Removes a stopped container (force: kills a live one first), running its poststop hooks.</summary>
    public void Delete(string id, bool force)
    {
        if (!Directory.Exists(store.DirOf(id)))
        {
            throw new RunfException($"container {id} does not exist in {store.Root}");
        }
        OciRecord? record = null;
        try
        {
            record = store.Read(id);
        }
        catch (RunfException) when (force)
        {
            // A damaged or half-written record: --force removes what is there.
        }
        if (record is not null && record.IsAlive())
        {
            if (!force)
            {
                throw new RunfException($"container {id} is {record.Status(store.FifoOf(id))}: kill it first, or runf delete --force {id}");
            }
            KillAndWait(record);
        }
        if (record is not null)
        {
            OciConfig? config = null;
            try
            {
                config = store.Config(id);
            }
            catch (RunfException e)
            {
                warn(e.Message);
            }
            OciHookRunner.Run(config?.Hooks?.Poststop, "poststop", record.StateJson("stopped"), fatal: false, warn);
            if (record.CgroupPath is { } cgroup)
            {
                OciCgroups.Open(cgroup).Remove();
            }
        }
        store.Remove(id);
    }

    private static void KillAndWait(OciRecord record)
    {
        using (var process = ContainerProcess.Open(record.Pid))
        {
            process?.Signal(Signals.SIGKILL);
        }
        // The container is not runf's child: its subreaper reaps it; a zombie counts as gone.
        for (var i = 0; i < 500 && record.IsAlive(); i++)
        {
            Thread.Sleep(10);
        }
    }

    /// <summary>The pids of the container: its cgroup's, or PID 1 alone without a cgroup.</summary>
    public IReadOnlyList<int> Pids(string id)
    {
        var record = store.Read(id);
        if (!record.IsAlive())
        {
            return [];
        }
        return record.CgroupPath is { } cgroup ? OciCgroups.Pids(cgroup) : [record.Pid];
    }
}
