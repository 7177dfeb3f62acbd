using RunF.Runtime.Host;
using RunF.Runtime.Spec;
using Serilog;
using Serilog.Events;

namespace RunF.Runtime.Plan;

/// <summary>
/// Turns a container spec into the launcher's ordered steps: the root is made private and bound,
/// made read-only with every submount, the container's filesystems are mounted beneath it, the
/// root is pivoted, then the process is confined and the command executed. Mounts happen before the pivot, while
/// the host paths they bind are still reachable.
/// </summary>
public sealed class PlanBuilder(IHostProbe host)
{
    private const MountFlags Hardened = MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec;

    public SetupPlan Build(ContainerSpec spec)
    {
        var stacked = new List<SetupOp>();
        AddProc(stacked);
        AddDev(stacked);
        AddSys(stacked);
        if (spec.ProtectSystemPaths)
        {
            AddMasks(stacked);
            AddReadOnlyPaths(stacked);
        }
        if (spec.ShareDns)
        {
            AddDns(stacked, spec.Rootfs);
        }
        foreach (var mount in spec.Mounts)
        {
            AddMount(stacked, mount, spec.Rootfs);
        }
        var ops = new List<SetupOp>
        {
            Ops.MakeRootPrivate(),
            Ops.BindRootfs(spec.Rootfs),
            Ops.EnterRoot(spec.Rootfs),
            Ops.RootfsReadOnly(),
        };
        ops.AddRange(WithoutRootfsMountPoints(stacked, spec.Rootfs));
        ops.Add(Ops.PivotRoot());
        ops.Add(Ops.Hostname(spec.Hostname));
        ops.AddRange(spec.Rlimits.Select(CheckedRlimit));
        ops.Add(Ops.Chdir(spec.WorkingDir));
        ops.Add(Ops.NewSession());
        if (spec.Terminal is { } terminal)
        {
            ops.Add(Ops.Terminal(terminal));
        }
        if (spec.User is { } user)
        {
            ops.Add(Ops.SwitchUser(user));
        }
        ops.Add(Ops.KeepCapabilities(spec.Capabilities, host.LastCapability, spec.UserCapabilities));
        ops.Add(Ops.NoNewPrivileges());
        AddLandlock(ops, spec.TcpBind);
        ops.Add(Ops.CloseFds(host.FdLimit));
        if (spec.SeccompFilter is { } filter)
        {
            ops.Add(Ops.Seccomp(filter) with { Notes = spec.SeccompRules });
        }
        var exec = Ops.Exec(spec.Args, spec.Env, ExecCandidates(spec.Args[0], spec.Env));
        ops.Add(spec.Init ? exec with { Flags = OpFlags.ViaInit } : exec);
        return new SetupPlan(Namespaces.CloneFlags, spec.Ids, ops);
    }

    /// <summary>
    /// The plan of a pre-warmed container: everything, the seccomp filter included, then the
    /// await step just before the exec, so an invocation pays for nothing but the exec.
    /// </summary>
    public static SetupPlan AwaitingInvocation(SetupPlan plan) =>
        plan with { Ops = [.. plan.Ops.SkipLast(1), Ops.Await(), plan.Ops[^1]] };

    /// <summary>
    /// runf never writes into the rootfs: a mount point in the rootfs itself must be there
    /// (`runf rootfs extract` and the busybox script make them all), and one that is not is one
    /// error naming them all and the fix, before anything runs. A mount point beneath one of the
    /// container's own filesystems (/dev/pts in the /dev tmpfs, a --bind beneath a --tmpfs) is
    /// made there, in order. The rootfs is read-only, down to every submount (an executor's volume
    /// mounted beneath the rootfs directory is bound along with it), before anything is stacked on it.
    /// </summary>
    private List<SetupOp> WithoutRootfsMountPoints(List<SetupOp> stacked, string rootfs)
    {
        var kept = new List<SetupOp>();
        var missing = new List<SetupOp>();
        var mountedOn = new List<string>();
        foreach (var op in stacked)
        {
            if (op is EnsureDirOp or EnsureFileOp && !mountedOn.Any(m => IsAtOrBelow(op.Path!, m)))
            {
                if (host.KindInRoot(rootfs, op.Path!) == PathKind.Missing)
                {
                    missing.Add(op);
                }
                continue;
            }
            if (op is MountOp mount)
            {
                mountedOn.Add(mount.Target);
            }
            kept.Add(op);
        }
        if (missing.Count > 0)
        {
            var dirs = missing.OfType<EnsureDirOp>().Select(op => rootfs.TrimEnd('/') + op.Path).ToList();
            var files = missing.OfType<EnsureFileOp>().Select(op => rootfs.TrimEnd('/') + op.Path).ToList();
            var fixes = new[] { dirs.Count > 0 ? "mkdir -p " + string.Join(' ', dirs) : null, files.Count > 0 ? "touch " + string.Join(' ', files) : null };
            throw new Errors.RunfException($"rootfs {rootfs} lacks the mount point{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(op => op.Path))}: " +
                $"create {(missing.Count > 1 ? "them" : "it")} there ({string.Join("; ", fixes.OfType<string>())}): runf never writes into a rootfs");
        }
        return kept;
    }

    private static bool IsAtOrBelow(string path, string mountPoint) =>
        path == mountPoint || path.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>A limit above runf's own hard limit: only privilege outside the container could raise it.</summary>
    private SetupOp CheckedRlimit(Rlimit limit)
    {
        var hard = host.HardLimit(limit.Resource);
        if (limit.Hard > hard)
        {
            var name = Rlimits.NameOf(limit.Resource);
            throw new Errors.RunfException($"--ulimit {name}={Rlimits.Format(limit.Soft)}:{Rlimits.Format(limit.Hard)}: above this executor's hard limit {Rlimits.Format(hard)}: an unprivileged runf cannot raise it (ask for at most {name}={Rlimits.Format(hard)})");
        }
        return Ops.SetRlimit(limit);
    }

    /// <summary>
    /// After no_new_privs, which an unprivileged landlock_restrict_self needs, and before the
    /// seccomp filter. What this kernel cannot enforce is said at -v and in --dry-run.
    /// </summary>
    private void AddLandlock(List<SetupOp> ops, TcpBindPolicy bind)
    {
        var (step, leftOut) = LandlockConfinement.For(bind, host.LandlockAbi);
        if (leftOut.Count > 0 && Log.IsEnabled(LogEventLevel.Information))
        {
            foreach (var part in leftOut)
            {
                Log.Information("landlock: running without {Part}", part);
            }
        }
        if (step is not null)
        {
            ops.Add(step with { Notes = [.. leftOut.Select(p => "not enforced: " + p)] });
        }
    }

    /// <summary>A fresh proc for the new PID namespace, never through a symlink in the rootfs.</summary>
    private static void AddProc(List<SetupOp> ops)
    {
        ops.Add(Ops.EnsureDir("/proc", OpFlags.NoSymlinks));
        ops.Add(Ops.MountFs("proc", "/proc", Hardened, opFlags: OpFlags.NoSymlinks));
    }

    /// <summary>A small tmpfs /dev holding the host's harmless devices, links, pts, shm and mqueue.</summary>
    private static void AddDev(List<SetupOp> ops)
    {
        ops.Add(Ops.EnsureDir("/dev", OpFlags.NoSymlinks));
        ops.Add(Ops.MountFs("tmpfs", "/dev", MountFlags.NoSuid | MountFlags.StrictAtime, "mode=755,size=65536k", OpFlags.NoSymlinks));
        foreach (var device in ContainerDefaults.Devices)
        {
            ops.Add(Ops.EnsureFile($"/dev/{device}"));
            ops.Add(Ops.BindFromHost($"/dev/{device}", $"/dev/{device}", OpFlags.NoSymlinks));
        }
        foreach (var (name, target) in ContainerDefaults.DeviceLinks)
        {
            ops.Add(Ops.Symlink($"/dev/{name}", target));
        }
        ops.Add(Ops.EnsureDir("/dev/pts"));
        ops.Add(Ops.MountFs("devpts", "/dev/pts", MountFlags.NoSuid | MountFlags.NoExec, "newinstance,ptmxmode=0666,mode=0620", OpFlags.NoSymlinks));
        ops.Add(Ops.EnsureDir("/dev/shm"));
        ops.Add(Ops.MountFs("tmpfs", "/dev/shm", Hardened, $"mode=1777,size={ContainerDefaults.ShmSizeBytes}", OpFlags.NoSymlinks));
        ops.Add(Ops.EnsureDir("/dev/mqueue"));
        ops.Add(Ops.MountFs("mqueue", "/dev/mqueue", Hardened, opFlags: OpFlags.NoSymlinks));
    }

    /// <summary>
    /// Without a network namespace of its own the container cannot mount sysfs: it gets the
    /// host's, read-only down to every submount (/sys/fs/cgroup included, CVE-2023-25809).
    /// </summary>
    private static void AddSys(List<SetupOp> ops)
    {
        ops.Add(Ops.EnsureDir("/sys", OpFlags.NoSymlinks));
        ops.Add(Ops.BindFromHost("/sys", "/sys", OpFlags.NoSymlinks));
        ops.Add(Ops.RemountReadOnly("/sys", OpFlags.Recursive | OpFlags.NoSymlinks));
    }

    private void AddMasks(List<SetupOp> ops)
    {
        foreach (var path in ContainerDefaults.MaskedPaths)
        {
            switch (host.KindOf(path))
            {
                case PathKind.Directory:
                    ops.Add(Ops.MaskDirectory(path));
                    break;
                case PathKind.File:
                    ops.Add(Ops.MaskFile(path));
                    break;
            }
        }
    }

    private void AddReadOnlyPaths(List<SetupOp> ops)
    {
        foreach (var path in ContainerDefaults.ReadOnlyPaths.Where(p => host.KindOf(p) != PathKind.Missing))
        {
            ops.Add(Ops.BindSelf(path, OpFlags.Optional));
            ops.Add(Ops.RemountReadOnly(path, OpFlags.Recursive | OpFlags.Optional));
        }
    }

    /// <summary>
    /// The executor's resolver and hosts file, so names on its network resolve inside. A rootfs
    /// without the file keeps resolving as it does (said at -v): runf does not make it.
    /// </summary>
    private void AddDns(List<SetupOp> ops, string rootfs)
    {
        foreach (var path in ContainerDefaults.DnsFiles.Where(p => host.KindOf(p) == PathKind.File))
        {
            if (host.KindInRoot(rootfs, path) == PathKind.Missing)
            {
                if (Log.IsEnabled(LogEventLevel.Information))
                {
                    Log.Information("rootfs {Rootfs} has no {Path}: the executor's is not shared (create an empty file there to share it)", rootfs, path);
                }
                continue;
            }
            ops.Add(Ops.BindFromHost(path, path, OpFlags.Optional));
            ops.Add(Ops.RemountReadOnly(path, OpFlags.Optional));
        }
    }

    private static void AddMount(List<SetupOp> ops, MountSpec mount, string rootfs)
    {
        switch (mount)
        {
            case TmpfsMountSpec tmpfs:
                ops.Add(Ops.EnsureDir(tmpfs.Destination));
                ops.Add(Ops.MountFs("tmpfs", tmpfs.Destination, MountFlags.NoSuid | MountFlags.NoDev, $"mode=1777,size={tmpfs.SizeBytes}"));
                break;
            case BindMountSpec bind:
                ops.Add(bind.SourceIsDirectory ? Ops.EnsureDir(bind.Destination) : Ops.EnsureFile(bind.Destination));
                ops.Add(Ops.BindFromHost(bind.Source, bind.Destination));
                if (!bind.Writable)
                {
                    ops.Add(Ops.RemountReadOnly(bind.Destination, OpFlags.Recursive));
                }
                else if (IsAtOrBelow(bind.Source, rootfs))
                {
                    ops.Add(Ops.RemountWritable(bind.Destination));
                }
                break;
        }
    }

    /// <summary>Where execve looks for the command: PATH search as execvp does it, or the path given.</summary>
    internal static IReadOnlyList<string> ExecCandidates(string command, IReadOnlyList<string> env)
    {
        if (command.Contains('/'))
        {
            return [command];
        }
        var path = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? ContainerDefaults.Path;
        return [.. path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => dir.TrimEnd('/') + "/" + command)];
    }
}
