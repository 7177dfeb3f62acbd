using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Plan;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Oci;

/// <summary>
/// config.json → the setup plan, as runc's init performs a config: the namespaces joined, the root
/// bound, the config's mounts in order, devices, sysctls, masked and read-only paths, the pivot,
/// then the process (limits, terminal, seccomp before the user change unless noNewPrivileges, the
/// user, the capability sets) and, with a gate, the wait for `runf start` just before the exec.
/// Pure apart from the host facts it asks the probe: unit-tested without privileges.
/// </summary>
public sealed class OciPlanBuilder(IHostProbe host, OciCaller caller)
{
    private const ulong NewCgroup = 0x02000000;

    /// <summary>OCI namespace types → clone flags; "time" is not supported.</summary>
    private static readonly Dictionary<string, ulong> NamespaceFlags = new(StringComparer.Ordinal)
    {
        ["pid"] = Namespaces.NewPid, ["network"] = Namespaces.NewNet, ["mount"] = Namespaces.NewMount,
        ["ipc"] = Namespaces.NewIpc, ["uts"] = Namespaces.NewUts, ["user"] = Namespaces.NewUser, ["cgroup"] = NewCgroup,
    };

    /// <summary>The plan of container id from config in bundle; gateFifo null for a plan that execs at once (runf exec's).</summary>
    public OciContainerPlan Build(OciConfig config, string bundle, string id, string? gateFifo)
    {
        var process = config.Process ?? throw Invalid("process", "is missing: a container needs process.args");
        if (process.Args is not { Count: > 0 } args || args[0].Length == 0)
        {
            throw Invalid("process.args", "is empty: name the program to run");
        }
        if (config.Hooks?.CreateContainer is { Count: > 0 } || config.Hooks?.StartContainer is { Count: > 0 })
        {
            // They run inside the container's namespaces between setup steps, which the child's plan has no step for yet.
            throw new RunfException("config.json: hooks.createContainer and hooks.startContainer are not supported by runf: use prestart, createRuntime, poststart or poststop hooks");
        }
        var rootfs = Rootfs(config, bundle);
        var (cloneFlags, joins) = ReadNamespaces(config.Linux?.Namespaces);
        var ids = IdMapsFor(config, cloneFlags);
        var warnings = new List<string>();
        if (!string.IsNullOrEmpty(process.ApparmorProfile))
        {
            warnings.Add($"process.apparmorProfile {process.ApparmorProfile} ignored: runf applies no AppArmor profile (its seccomp filter, masked paths and capabilities still apply)");
        }
        if (!string.IsNullOrEmpty(process.SelinuxLabel) || !string.IsNullOrEmpty(config.Linux?.MountLabel))
        {
            warnings.Add("process.selinuxLabel and linux.mountLabel ignored: runf sets no SELinux labels");
        }

        warnings.AddRange(config.NotInSpec.Select(field => $"{field} ignored: runtime-spec defines no such property"));
        if (config.Linux?.Resources?.Memory is { Kernel: not null } or { KernelTCP: not null })
        {
            warnings.Add("linux.resources.memory.kernel and kernelTCP ignored: Linux no longer has kernel memory limits (as runc)");
        }
        var ops = new List<SetupOp>();
        if (gateFifo is not null)
        {
            ops.Add(new OpenGateOp(gateFifo) { Description = $"open the exec fifo {gateFifo}" });
        }
        if ((cloneFlags & Namespaces.NewUser) != 0 && (ids.AllowSetgroups || ids.Tools is not null))
        {
            // As runc's nsexec: the child becomes root of its new user namespace before anything, so
            // that what it makes (mount points in a tmpfs) has an owner mapped there.
            ops.Add(new IdentityOp(0, 0, []) { Description = "become root of the user namespace" });
        }
        ops.AddRange(joins);
        if ((cloneFlags & NewCgroup) != 0)
        {
            // Unshared here, after runf has moved the child into its cgroup: that cgroup becomes the namespace's root.
            ops.Add(new NamespaceOp(NewCgroup, null) { Description = "enter a new cgroup namespace" });
            cloneFlags &= ~NewCgroup;
        }
        var propagation = Propagation(config.Linux?.RootfsPropagation);
        // pivot_root refuses a shared parent mount: a shared root is made so after the pivot, as runc does.
        var shared = (propagation.MountFlags & (MountFlags)OciMountOptions.MsShared) != 0;
        ops.Add(shared ? Propagation("rslave") : propagation);
        ops.Add(Ops.BindRootfs(rootfs));
        ops.Add(Ops.EnterRoot(rootfs));
        var mounts = config.Mounts ?? [];
        var inUserNamespace = (cloneFlags & Namespaces.NewUser) != 0 || !caller.InitialUserNamespace;
        var ownNetwork = (cloneFlags & Namespaces.NewNet) != 0 || joins.Any(j => j.Type == Namespaces.NewNet);
        for (var i = 0; i < mounts.Count; i++)
        {
            OciMounts.Add(ops, mounts[i], $"mounts[{i}]", bundle, rootfs, host, fallBackToSysBind: inUserNamespace && !ownNetwork);
        }
        if (mounts.Any(m => m.Destination?.TrimEnd('/') == "/dev" && m.Type != "bind" && !(m.Options ?? []).Contains("bind") && !(m.Options ?? []).Contains("rbind")))
        {
            OciDevices.AddDefaults(ops);
        }
        OciDevices.Add(ops, config.Linux?.Devices);
        AddSysctls(ops, config, cloneFlags, joins);
        AddMasks(ops, config.Linux?.MaskedPaths, rootfs);
        foreach (var path in config.Linux?.ReadonlyPaths ?? [])
        {
            var target = ContainerPath(path, "linux.readonlyPaths");
            ops.Add(Ops.BindSelf(target, OpFlags.Optional));
            ops.Add(Ops.RemountReadOnly(target, OpFlags.Recursive | OpFlags.Optional));
        }
        if (config.Root!.Readonly)
        {
            ops.Add(Ops.RemountReadOnly("/") with { Description = "make the rootfs read-only (root.readonly)" });
        }
        ops.Add(Ops.PivotRoot());
        if (shared)
        {
            ops.Add(propagation with { Description = $"make the root {config.Linux!.RootfsPropagation}" });
        }
        if (!string.IsNullOrEmpty(config.Hostname))
        {
            ops.Add(Ops.Hostname(config.Hostname));
        }
        if (gateFifo is not null)
        {
            CheckExecutable(rootfs, args[0], process.Env ?? [], mounts);
        }
        AddProcess(ops, process, config.Linux?.Seccomp, ids, cloneFlags, gateFifo is not null, warnings);
        var plan = new SetupPlan(cloneFlags, ids, ops) { Detached = true };
        return new OciContainerPlan(rootfs, plan, OciCgroups.Request(config.Linux, id), process.OomScoreAdj, process.User?.Umask ?? 0x12,
            process.Terminal, config.Hooks, warnings);
    }

    /// <summary>
    /// The process's part, shared with runf exec: limits, cwd, session and terminal, the seccomp
    /// filter (before the user change unless noNewPrivileges), user, capabilities, then the gate and the exec.
    /// </summary>
    private void AddProcess(List<SetupOp> ops, OciProcess process, SeccompProfile? seccompProfile, IdMaps ids, ulong cloneFlags, bool gated, List<string> warnings)
    {
        foreach (var limit in process.Rlimits ?? [])
        {
            ops.Add(Ops.SetRlimit(Rlimit(limit)));
        }
        ops.Add(Ops.Chdir(ContainerPath(string.IsNullOrEmpty(process.Cwd) ? "/" : process.Cwd, "process.cwd")));
        ops.Add(Ops.NewSession());
        if (process.Terminal)
        {
            ops.Add(Ops.Terminal(new TerminalSize(process.ConsoleSize?.Height ?? 0, process.ConsoleSize?.Width ?? 0)));
        }
        // Before an early seccomp filter, which may not allow close_range (runc's profiles of before 5.9 do not).
        ops.Add(Ops.CloseFds(host.FdLimit));
        var seccomp = seccompProfile is { } profile ? Seccomp(profile, process.Capabilities?.Bounding) : null;
        // Without no_new_privs only a capable process may install a filter: runc installs it
        // before the user and capabilities change, and with no_new_privs as late as it can.
        if (seccomp is not null && !process.NoNewPrivileges)
        {
            ops.Add(seccomp);
        }
        if (UserOp(process.User, ids, cloneFlags) is { } user)
        {
            ops.Add(user);
        }
        if (process.Capabilities is { } caps)
        {
            ops.Add(CapabilitySets(caps, warnings));
        }
        if (process.NoNewPrivileges)
        {
            ops.Add(Ops.NoNewPrivileges());
        }
        if (gated)
        {
            ops.Add(new WaitGateOp { Description = "wait for runf start" });
        }
        if (seccomp is not null && process.NoNewPrivileges)
        {
            ops.Add(seccomp);
        }
        var env = process.Env ?? [];
        ops.Add(Ops.Exec(process.Args!, env, PlanBuilder.ExecCandidates(process.Args![0], env)));
    }

    /// <summary>
    /// runf exec's plan: a process joins the namespaces of the container's PID 1 (the pid namespace
    /// is entered by runf's own thread before the clone, see OciRuntime.Exec), its mount namespace
    /// last (the /proc/PID/ns paths are the host's), and then goes as a created process does.
    /// </summary>
    public SetupPlan BuildExec(OciConfig config, OciProcess process, int pid, bool detached, List<string> warnings)
    {
        if (process.Args is not { Count: > 0 } args || args[0].Length == 0)
        {
            throw Invalid("process.args", "is empty: name the program to run");
        }
        var (cloneFlags, _) = ReadNamespaces(config.Linux?.Namespaces);
        if ((cloneFlags & Namespaces.NewUser) != 0)
        {
            throw new RunfException("runf exec into a container with a user namespace of its own is not supported yet: exec into one whose config has none (as podman's and containerd's)");
        }
        var ops = new List<SetupOp>();
        foreach (var (type, name) in (ReadOnlySpan<(string, string)>)[("cgroup", "cgroup"), ("ipc", "ipc"), ("uts", "uts"), ("network", "net"), ("mount", "mnt")])
        {
            if (config.Linux?.Namespaces?.Any(n => n.Type == type) == true)
            {
                ops.Add(new NamespaceOp(NamespaceFlags[type], $"/proc/{pid}/ns/{name}") { Description = $"join the container's {type} namespace" });
            }
        }
        ops.Add(Ops.EnterRoot("/") with { Description = "open the container's root" });
        var ids = IdMaps.RootAs(0, 0);
        AddProcess(ops, process, config.Linux?.Seccomp, ids, cloneFlags, gated: false, warnings);
        return new SetupPlan(0, ids, ops) { Detached = detached };
    }

    /// <summary>
    /// As runc, a command that is not there fails create, not start (when no one reads the child's
    /// report any more), in runc's words, which engines match (podman: exit 127). A candidate
    /// beneath a mount's destination is left to the exec.
    /// </summary>
    private void CheckExecutable(string rootfs, string command, IReadOnlyList<string> env, IReadOnlyList<OciMount> mounts)
    {
        foreach (var candidate in PlanBuilder.ExecCandidates(command, env))
        {
            if (host.KindInRoot(rootfs, candidate) == PathKind.File || mounts.Any(m => m.Destination is { } d && (candidate + "/").StartsWith(d.TrimEnd('/') + "/", StringComparison.Ordinal)))
            {
                return;
            }
        }
        throw new RunfException($"exec: \"{command}\": executable file not found in $PATH", ExitCodes.NotFound);
    }

    private static string Rootfs(OciConfig config, string bundle)
    {
        var given = config.Root?.Path is { Length: > 0 } p ? p : throw Invalid("root.path", "is missing: name the root filesystem's directory");
        var path = Path.IsPathRooted(given) ? given : Path.Combine(bundle, given);
        var real = Libc.RealPath(path) ?? throw Invalid("root.path", $"{path} does not exist");
        if (!Libc.IsDirectory(real) || real == "/")
        {
            throw Invalid("root.path", $"{path} is not a root filesystem's directory");
        }
        return real;
    }

    private static (ulong Flags, List<NamespaceOp> Joins) ReadNamespaces(IReadOnlyList<OciNamespace>? namespaces)
    {
        ulong flags = 0;
        var joins = new List<NamespaceOp>();
        var seen = new HashSet<string>();
        for (var i = 0; i < (namespaces?.Count ?? 0); i++)
        {
            var ns = namespaces![i];
            var where = $"linux.namespaces[{i}]";
            if (ns.Type is not { } type || !NamespaceFlags.TryGetValue(type, out var flag))
            {
                throw new RunfException($"config.json: {where}.type \"{ns.Type}\" is not supported by runf: use pid, network, mount, ipc, uts, user or cgroup");
            }
            if (!seen.Add(type))
            {
                throw Invalid(where, $"names the {type} namespace twice");
            }
            if (string.IsNullOrEmpty(ns.Path))
            {
                flags |= flag;
            }
            else if (type is "user" or "pid")
            {
                // setns into a user namespace needs a process that shares no memory (the child shares runf's
                // until its exec), and into a pid namespace it affects only children: both before the clone.
                throw new RunfException($"config.json: {where}: joining the {type} namespace {ns.Path} is not supported by runf: give the {type} namespace no path (a new one)");
            }
            else
            {
                joins.Add(new NamespaceOp(flag, ns.Path) { Description = $"join the {type} namespace {ns.Path}" });
            }
        }
        if ((flags & Namespaces.NewMount) == 0)
        {
            throw new RunfException("config.json: linux.namespaces has no new mount namespace: runf sets the root up in one of its own (add {\"type\": \"mount\"})");
        }
        return (flags, joins);
    }

    /// <summary>
    /// The maps of a new user namespace: root writes them itself (setgroups allowed); an
    /// unprivileged caller writes its own single id itself, and anything else through newuidmap.
    /// </summary>
    private IdMaps IdMapsFor(OciConfig config, ulong cloneFlags)
    {
        var uids = Ranges(config.Linux?.UidMappings);
        var gids = Ranges(config.Linux?.GidMappings);
        if ((cloneFlags & Namespaces.NewUser) == 0)
        {
            if (uids.Count > 0 || gids.Count > 0)
            {
                throw Invalid("linux.uidMappings", "needs a new user namespace: add {\"type\": \"user\"} to linux.namespaces");
            }
            if (caller.Uid != 0)
            {
                throw new RunfException($"config.json: runf runs as uid {caller.Uid}, not root, and the config has no user namespace: add {{\"type\": \"user\"}} to linux.namespaces with uidMappings and gidMappings (runf spec --rootless writes such a config)");
            }
            return IdMaps.RootAs(0, 0);
        }
        if (uids.Count == 0 || gids.Count == 0)
        {
            throw Invalid("linux.uidMappings", "and linux.gidMappings are needed with a new user namespace: map at least the container's root");
        }
        if (caller.IsHostRoot)
        {
            return new IdMaps(uids, gids) { AllowSetgroups = true };
        }
        if (uids is [{ Count: 1 } u] && u.Host == caller.Uid && gids is [{ Count: 1 } g] && g.Host == caller.Gid)
        {
            return new IdMaps(uids, gids);
        }
        var tools = caller.Tools ?? throw new RunfException("config.json: linux.uidMappings maps more than the caller's own id, which takes newuidmap and newgidmap: install them (Debian: uidmap)");
        return new IdMaps(uids, gids, tools);
    }

    private static List<IdRange> Ranges(IReadOnlyList<OciIdMapping>? mappings) =>
        [.. (mappings ?? []).Select(m => new IdRange(m.ContainerId, m.HostId, m.Size))];

    private static MountOp Propagation(string? given)
    {
        var flags = given switch
        {
            null or "" or "rslave" => OciMountOptions.MsSlave | OciMountOptions.MsRec,
            "slave" => OciMountOptions.MsSlave,
            "rprivate" => OciMountOptions.MsPrivate | OciMountOptions.MsRec,
            "private" => OciMountOptions.MsPrivate,
            "rshared" => OciMountOptions.MsShared | OciMountOptions.MsRec,
            "shared" => OciMountOptions.MsShared,
            "runbindable" => OciMountOptions.MsUnbindable | OciMountOptions.MsRec,
            "unbindable" => OciMountOptions.MsUnbindable,
            _ => throw Invalid("linux.rootfsPropagation", $"\"{given}\" is not one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable"),
        };
        return new MountOp { Description = $"make all mounts {(string.IsNullOrEmpty(given) ? "rslave" : given)}", Target = "/", MountFlags = (MountFlags)flags };
    }

    private static void AddSysctls(List<SetupOp> ops, OciConfig config, ulong cloneFlags, List<NamespaceOp> joins)
    {
        if (!string.IsNullOrEmpty(config.Domainname))
        {
            ops.Add(new WriteFileOp("/proc/sys/kernel/domainname", config.Domainname) { Description = $"set domainname {config.Domainname}" });
        }
        foreach (var (key, value) in config.Linux?.Sysctl ?? [])
        {
            if (key.Length == 0 || key.Contains("..") || key.Contains('/') && key.Contains('.') || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/'))
            {
                throw Invalid("linux.sysctl", $"\"{key}\" is not a sysctl name");
            }
            var isolated = key.StartsWith("net.", StringComparison.Ordinal)
                ? (cloneFlags & Namespaces.NewNet) != 0 || joins.Any(j => j.Type == Namespaces.NewNet)
                : key.StartsWith("kernel.msg", StringComparison.Ordinal) || key.StartsWith("kernel.sem", StringComparison.Ordinal) || key.StartsWith("kernel.shm", StringComparison.Ordinal) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal)
                    ? (cloneFlags & Namespaces.NewIpc) != 0 || joins.Any(j => j.Type == Namespaces.NewIpc)
                    : key is "kernel.hostname" or "kernel.domainname" && (cloneFlags & Namespaces.NewUts) != 0;
            if (!isolated)
            {
                // As runc: a sysctl outside the container's own namespaces would change the host's.
                throw Invalid($"linux.sysctl.{key}", "is not namespaced by the container's namespaces: runf does not set host-wide sysctls");
            }
            ops.Add(new WriteFileOp("/proc/sys/" + key.Replace('.', '/'), value) { Description = $"set sysctl {key}={value}" });
        }
    }

    private void AddMasks(List<SetupOp> ops, IReadOnlyList<string>? paths, string rootfs)
    {
        foreach (var given in paths ?? [])
        {
            var path = ContainerPath(given, "linux.maskedPaths");
            var kind = path.StartsWith("/proc/", StringComparison.Ordinal) || path.StartsWith("/sys/", StringComparison.Ordinal)
                ? host.KindOf(path)
                : host.KindInRoot(rootfs, path);
            switch (kind)
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

    private static Rlimit Rlimit(OciRlimit limit)
    {
        var name = limit.Type ?? "";
        var resource = name.StartsWith("RLIMIT_", StringComparison.Ordinal) ? Rlimits.ResourceOf(name[7..]) : -1;
        if (resource < 0)
        {
            throw Invalid("process.rlimits", $"type \"{name}\" is not an RLIMIT_* name this runf knows");
        }
        if (limit.Soft > limit.Hard)
        {
            throw Invalid($"process.rlimits {name}", $"soft {limit.Soft} is above hard {limit.Hard}");
        }
        return new Rlimit(resource, limit.Soft, limit.Hard);
    }

    /// <summary>
    /// The user switch, unless the process stays root with no groups to set; in a user namespace
    /// whose setgroups is denied (a rootless single-id map), additional groups cannot be set.
    /// </summary>
    private static IdentityOp? UserOp(OciUser? user, IdMaps ids, ulong cloneFlags)
    {
        var groups = user?.AdditionalGids ?? [];
        var setgroupsDenied = (cloneFlags & Namespaces.NewUser) != 0 && ids.Tools is null && !ids.AllowSetgroups;
        if (setgroupsDenied && groups.Count > 0)
        {
            throw Invalid("process.user.additionalGids", "needs setgroups, which a user namespace mapping only the caller's own ids denies: map subordinate ids too (newgidmap)");
        }
        if (user is null || setgroupsDenied && user.Uid == 0 && user.Gid == 0)
        {
            return null;
        }
        return new IdentityOp(user.Uid, user.Gid, groups) { Description = $"become uid {user.Uid} gid {user.Gid} groups {string.Join(",", groups)}" };
    }

    private CapabilitySetsOp CapabilitySets(OciCapabilities caps, List<string> warnings)
    {
        var last = host.LastCapability;
        var ignored = new SortedSet<string>(StringComparer.Ordinal);
        ulong Mask(IReadOnlyList<string>? names, string set)
        {
            var mask = 0UL;
            foreach (var name in names ?? [])
            {
                if (!Capabilities.TryParse(name, out var cap) || cap > last)
                {
                    // As runc: a capability runf or this kernel does not know is left out, with a warning
                    // (an engine newer than the kernel names capabilities it lacks).
                    ignored.Add(name);
                    continue;
                }
                if (cap < 0)
                {
                    throw Invalid($"process.capabilities.{set}", "cannot hold ALL: list the capabilities");
                }
                mask |= 1UL << cap;
            }
            return mask;
        }
        var (permitted, inheritable, ambient) = (Mask(caps.Permitted, "permitted"), Mask(caps.Inheritable, "inheritable"), Mask(caps.Ambient, "ambient"));
        var (bounding, effective) = (Mask(caps.Bounding, "bounding"), Mask(caps.Effective, "effective"));
        if (ignored.Count > 0)
        {
            warnings.Add($"process.capabilities: {string.Join(",", ignored)} ignored: unknown to runf or to this kernel (runc ignores them too)");
        }
        if ((ambient & ~(permitted & inheritable)) is var dropped and not 0)
        {
            // The kernel raises an ambient capability only if it is permitted and inheritable; runc leaves the others out too.
            warnings.Add($"process.capabilities.ambient: {string.Join(",", Enumerable.Range(0, 64).Where(c => (dropped & (1UL << c)) != 0).Select(Capabilities.NameOf))} left out: not both permitted and inheritable");
            ambient &= permitted & inheritable;
        }
        var sets = new CapabilitySetsOp(bounding, effective, permitted, inheritable, ambient, last) { Description = "" };
        return sets with { Description = $"set capabilities (bounding {Count(sets.Bounding)}, effective {Count(sets.Effective)}, permitted {Count(sets.Permitted)}, inheritable {Count(sets.Inheritable)}, ambient {Count(sets.Ambient)})" };
    }

    private static int Count(ulong mask) => System.Numerics.BitOperations.PopCount(mask);

    private static SeccompOp Seccomp(SeccompProfile profile, IReadOnlyList<string>? bounding)
    {
        try
        {
            var resolved = ProfileValidator.Resolve(profile, SeccompContext.Host((bounding ?? []).Where(n => Capabilities.TryParse(n, out var cap) && cap >= 0).Select(n => Capabilities.NameOf(Capabilities.Parse(n)))));
            var program = SeccompCompiler.Compile(resolved);
            return Ops.Seccomp(program) with { Description = $"install the seccomp filter of linux.seccomp ({program.Length / 8} instructions)" };
        }
        catch (ProfileException e)
        {
            throw new RunfException($"config.json: linux.seccomp: {e.Message}");
        }
    }

    /// <summary>An absolute, clean container path (relative ones are taken from /, as runc does).</summary>
    internal static string ContainerPath(string path, string field)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains(".."))
        {
            throw Invalid(field, $"\"{path}\" contains ..");
        }
        return "/" + string.Join('/', parts.Where(p => p != "."));
    }

    internal static RunfException Invalid(string field, string problem) => new($"config.json: {field} {problem}");
}
