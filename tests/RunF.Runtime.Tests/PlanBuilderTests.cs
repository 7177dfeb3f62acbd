using RunF.Runtime.Host;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests;

public class PlanBuilderTests
{
    private static SetupPlan Build(ContainerSpec? spec = null, FakeHostProbe? host = null) =>
        new PlanBuilder(host ?? new FakeHostProbe()).Build(spec ?? SpecFixtures.Create());

    private static int IndexOf(SetupPlan plan, string description) =>
        plan.Ops.ToList().FindIndex(op => op.Description == description);

    [Fact]
    public void Clones_every_namespace_but_the_network()
    {
        var plan = Build();
        Assert.Equal(Namespaces.NewUser | Namespaces.NewMount | Namespaces.NewUts | Namespaces.NewIpc | Namespaces.NewPid, plan.CloneFlags);
        Assert.Equal(0UL, plan.CloneFlags & Namespaces.NewNet);
    }

    [Fact]
    public void Starts_by_making_mounts_private_and_binding_the_rootfs()
    {
        var ops = Build().Ops;
        Assert.Equal(MountFlags.Recursive | MountFlags.Private, Assert.IsType<MountOp>(ops[0]).MountFlags);
        var bind = Assert.IsType<MountOp>(ops[1]);
        Assert.Equal(("/srv/rootfs", "/srv/rootfs"), (bind.Source, bind.Target));
        Assert.Equal(MountFlags.Bind | MountFlags.Recursive, bind.MountFlags);
        Assert.Equal(OpKind.EnterRoot, ops[2].Kind);
    }

    [Fact]
    public void Ends_with_confinement_then_exec_in_a_fixed_order()
    {
        var kinds = Build().Ops.Select(op => op.Kind).ToList();
        var tail = kinds.SkipWhile(k => k != OpKind.PivotRoot).ToList();
        Assert.Equal(
            [OpKind.PivotRoot, OpKind.Hostname, OpKind.Rlimit, OpKind.Chdir,
             OpKind.NewSession, OpKind.Capabilities, OpKind.NoNewPrivileges, OpKind.Landlock, OpKind.CloseFds, OpKind.Seccomp, OpKind.Exec],
            tail);
    }

    [Fact]
    public void With_t_a_terminal_of_the_containers_devpts_follows_the_new_session_at_runfs_size()
    {
        var plan = Build(SpecFixtures.Create(new RunRequest { Command = ["sh"], Tty = true }, hostTerminal: new TerminalSize(24, 80)));
        var session = plan.Ops.ToList().FindIndex(op => op is NewSessionOp);
        var terminal = Assert.IsType<TerminalOp>(plan.Ops[session + 1]);
        Assert.Equal(("/dev/pts/ptmx", (ushort)24, (ushort)80), (terminal.Ptmx, terminal.Rows, terminal.Columns));
        // The ptmx is a fresh devpts instance's, mounted before the pivot, and /dev/ptmx leads to it.
        var devpts = Assert.IsType<MountOp>(plan.Ops[IndexOf(plan, "mount devpts on /dev/pts")]);
        Assert.Contains("newinstance,ptmxmode=0666", devpts.Data);
        Assert.Contains(plan.Ops, op => op is SymlinkOp { Target: "/dev/ptmx", LinkTo: "pts/ptmx" });
        Assert.True(IndexOf(plan, "mount devpts on /dev/pts") < plan.Ops.ToList().FindIndex(op => op is PivotRootOp));
        Assert.Contains("  open a terminal in /dev/pts as stdin, stdout and stderr  [80x24, controlling terminal]\n", PlanPrinter.Print(plan));
    }

    [Fact]
    public void Without_t_there_is_no_terminal_step()
    {
        Assert.DoesNotContain(Build().Ops, op => op is TerminalOp);
        Assert.Null(SpecFixtures.Create(hostTerminal: new TerminalSize(24, 80)).Terminal);
    }

    [Fact]
    public void Makes_the_rootfs_read_only_with_every_submount_before_stacking_the_containers_own_mounts()
    {
        var plan = Build(SpecFixtures.Create(new RunRequest
        {
            Command = ["true"],
            Binds = ["/tmp:/scratch:rw", "/etc:/tmp/etc"],
            Tmpfs = ["/run:1m"],
        }));
        var readOnly = IndexOf(plan, "make the rootfs read-only, every submount too");
        var op = Assert.IsType<MountAttributesOp>(plan.Ops[readOnly]);
        Assert.Equal(("/", 1UL, 0UL), (op.Target, op.Set, op.Clear));
        Assert.True(op.Flags.HasFlag(OpFlags.Recursive));
        // Right after the rootfs is bound and entered: nothing is written into it, nothing stacked on it before.
        Assert.Equal(3, readOnly);
        // No mount point is made in the rootfs itself...
        Assert.DoesNotContain(plan.Ops, o => o is EnsureDirOp or EnsureFileOp && o.Path is "/proc" or "/dev" or "/sys" or "/tmp" or "/scratch" or "/run" or "/etc/hosts");
        // ...but on the container's own filesystems, after the mount it belongs to.
        Assert.True(IndexOf(plan, "create mount point /dev/pts") > IndexOf(plan, "mount tmpfs on /dev"));
        Assert.True(IndexOf(plan, "create mount point /tmp/etc") > IndexOf(plan, "mount tmpfs on /tmp"));
        Assert.DoesNotContain(plan.Ops.Skip(readOnly + 1), o => o is MountAttributesOp && o.Path is "/" or "/scratch" or "/tmp");
    }

    [Fact]
    public void Refuses_a_rootfs_without_its_mount_points_naming_them_all_and_the_fix()
    {
        var host = new FakeHostProbe(missingInRootfs: new HashSet<string> { "/proc", "/data", "/etc/passwd" });
        var spec = SpecFixtures.Create(new RunRequest { Command = ["true"], Binds = ["/etc:/data", "/etc/passwd:/etc/passwd"] });
        var e = Assert.Throws<Errors.RunfException>(() => Build(spec, host));
        Assert.Equal("rootfs /srv/rootfs lacks the mount points /proc, /data, /etc/passwd: create them there " +
            "(mkdir -p /srv/rootfs/proc /srv/rootfs/data; touch /srv/rootfs/etc/passwd): runf never writes into a rootfs", e.Message);
    }

    [Fact]
    public void A_rootfs_without_a_resolver_file_keeps_its_own_resolution()
    {
        var plan = Build(host: new FakeHostProbe(new() { ["/etc/resolv.conf"] = PathKind.File, ["/etc/hosts"] = PathKind.File }, missingInRootfs: new HashSet<string> { "/etc/resolv.conf" }));
        Assert.Equal(-1, IndexOf(plan, "bind /etc/resolv.conf on /etc/resolv.conf"));
        Assert.True(IndexOf(plan, "bind /etc/hosts on /etc/hosts") > 0);
    }

    [Fact]
    public void A_prewarmed_plan_awaits_its_invocation_after_every_defence_and_just_before_exec()
    {
        var plan = Build();
        var awaiting = PlanBuilder.AwaitingInvocation(plan);
        var kinds = awaiting.Ops.Select(op => op.Kind).ToList();
        Assert.Equal([OpKind.Seccomp, OpKind.Await, OpKind.Exec], kinds[^3..]);
        Assert.Equal(plan.Ops.Count + 1, awaiting.Ops.Count);
        Assert.Equal(plan.CloneFlags, awaiting.CloneFlags);
        var bytes = PlanBytes.Of(awaiting);
        Assert.Equal((uint)OpKind.Await, BitConverter.ToUInt32(bytes, PlanSerializer.HeaderSize + PlanSerializer.OpSize * (awaiting.Ops.Count - 2)));
    }

    [Fact]
    public void Every_mount_into_the_container_happens_before_the_pivot()
    {
        var plan = Build();
        var pivot = plan.Ops.ToList().FindIndex(op => op.Kind == OpKind.PivotRoot);
        Assert.All(plan.Ops.Skip(pivot + 1), op => Assert.NotEqual(OpKind.Mount, op.Kind));
        Assert.All(plan.Ops.Where(op => op.Kind == OpKind.Mount).Skip(2), op => Assert.True(op.Flags.HasFlag(OpFlags.TargetInRoot), op.Description));
    }

    [Fact]
    public void Proc_is_a_fresh_hardened_mount_that_refuses_symlinks()
    {
        var plan = Build();
        var proc = Assert.IsType<MountOp>(plan.Ops[IndexOf(plan, "mount proc on /proc")]);
        Assert.Equal(("proc", "/proc", "proc", null), (proc.Source, proc.Target, proc.FsType, proc.Data));
        Assert.Equal(MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, proc.MountFlags);
        Assert.True(proc.Flags.HasFlag(OpFlags.NoSymlinks));
    }

    [Fact]
    public void Masks_files_with_a_checked_dev_null_and_directories_with_a_read_only_tmpfs()
    {
        var plan = Build();
        var keys = Assert.IsType<MountOp>(plan.Ops[IndexOf(plan, "mask /proc/keys")]);
        Assert.Equal("/dev/null", keys.Source);
        Assert.True(keys.Flags.HasFlag(OpFlags.SourceDevNull | OpFlags.SourceInRoot | OpFlags.Optional));
        var acpi = Assert.IsType<MountOp>(plan.Ops[IndexOf(plan, "mask /proc/acpi")]);
        Assert.Equal("tmpfs", acpi.FsType);
        Assert.True(acpi.MountFlags.HasFlag(MountFlags.ReadOnly));
        // masks come after /dev exists (their source) and after /sys is bound (their target)
        Assert.True(IndexOf(plan, "mask /proc/keys") > IndexOf(plan, "bind /dev/null on /dev/null"));
        Assert.True(IndexOf(plan, "mask /sys/firmware") > IndexOf(plan, "bind /sys on /sys"));
    }

    [Fact]
    public void Skips_masked_and_read_only_paths_the_kernel_does_not_have()
    {
        var plan = Build(host: new FakeHostProbe(new() { ["/proc/keys"] = PathKind.File }));
        var descriptions = plan.Ops.Select(op => op.Description).ToList();
        Assert.Contains("mask /proc/keys", descriptions);
        Assert.DoesNotContain(descriptions, d => d.Contains("/proc/kcore") || d.Contains("/proc/acpi") || d.Contains("/proc/sys"));
    }

    [Fact]
    public void Makes_proc_paths_and_sys_read_only_recursively()
    {
        var plan = Build();
        foreach (var path in ContainerDefaults.ReadOnlyPaths)
        {
            var bind = IndexOf(plan, $"bind {path} onto itself");
            Assert.True(bind > 0, path);
            Assert.Equal(OpKind.MountAttributes, plan.Ops[bind + 1].Kind);
            Assert.True(plan.Ops[bind + 1].Flags.HasFlag(OpFlags.Recursive));
        }
        var sys = plan.Ops[IndexOf(plan, "make /sys read-only")];
        Assert.True(sys.Flags.HasFlag(OpFlags.Recursive));
    }

    [Fact]
    public void Binds_the_executors_resolver_files_read_only_unless_told_not_to()
    {
        var plan = Build();
        Assert.True(IndexOf(plan, "bind /etc/resolv.conf on /etc/resolv.conf") > 0);
        Assert.True(IndexOf(plan, "make /etc/hosts read-only") > 0);
        var noDns = Build(SpecFixtures.Create(new RunRequest { Command = ["true"], NoDns = true }));
        Assert.DoesNotContain(noDns.Ops, op => op.Description.Contains("resolv.conf"));
    }

    [Fact]
    public void Mounts_a_tmp_by_default_and_user_mounts_in_order()
    {
        var plan = Build(SpecFixtures.Create(new RunRequest
        {
            Command = ["true"],
            Binds = ["/etc:/host-etc", "/tmp:/scratch:rw"],
            Tmpfs = ["/run:1m"],
        }));
        Assert.Equal($"mode=1777,size={64 << 20}", Assert.IsType<MountOp>(plan.Ops[IndexOf(plan, "mount tmpfs on /tmp")]).Data);
        Assert.Equal("mode=1777,size=1048576", Assert.IsType<MountOp>(plan.Ops[IndexOf(plan, "mount tmpfs on /run")]).Data);
        Assert.True(IndexOf(plan, "make /host-etc read-only") == IndexOf(plan, "bind /etc on /host-etc") + 1);
        Assert.Equal(-1, IndexOf(plan, "make /scratch read-only"));
        Assert.True(IndexOf(plan, "bind /tmp on /scratch") > IndexOf(plan, "bind /etc on /host-etc"));

        var noTmp = Build(SpecFixtures.Create(new RunRequest { Command = ["true"], NoTmp = true }));
        Assert.Equal(-1, IndexOf(noTmp, "mount tmpfs on /tmp"));
    }

    [Fact]
    public void Scopes_abstract_sockets_and_signals_with_landlock_and_leaves_tcp_bind_alone_by_default()
    {
        var landlock = Build().Ops.OfType<LandlockOp>().Single();
        Assert.Equal((0UL, 3UL), (landlock.HandledNetwork, landlock.Scopes)); // no network access handled; both scopes
        Assert.Empty(landlock.BindablePorts);
        Assert.Empty(landlock.Notes);
    }

    [Theory]
    [InlineData("none", new ushort[0])]
    [InlineData("8080", new ushort[] { 8080 })]
    [InlineData("443,80,9000-9001", new ushort[] { 80, 443, 9000, 9001 })]
    public void Net_bind_denies_every_tcp_port_but_those_listed(string netBind, ushort[] ports)
    {
        var landlock = Build(SpecFixtures.Create(new RunRequest { Command = ["true"], NetBind = netBind })).Ops.OfType<LandlockOp>().Single();
        Assert.Equal((1UL, 3UL), (landlock.HandledNetwork, landlock.Scopes));
        Assert.Equal(ports, landlock.BindablePorts);
        Assert.Contains($"TCP bind: {(ports.Length == 0 ? "none" : string.Join(',', ports))}", landlock.Description);
    }

    [Fact]
    public void Leaves_out_and_notes_what_the_kernels_landlock_cannot_enforce()
    {
        var request = new RunRequest { Command = ["true"], NetBind = "none" };
        Assert.DoesNotContain(Build(SpecFixtures.Create(request), new FakeHostProbe(landlockAbi: 0)).Ops, op => op.Kind == OpKind.Landlock);
        var abi5 = Build(SpecFixtures.Create(request), new FakeHostProbe(landlockAbi: 5)).Ops.OfType<LandlockOp>().Single();
        Assert.Equal((1UL, 0UL), (abi5.HandledNetwork, abi5.Scopes)); // TCP bind only: scopes are ABI 6
        Assert.Contains(abi5.Notes, n => n.StartsWith("not enforced: abstract unix socket and signal scoping (needs Landlock ABI 6", StringComparison.Ordinal));
        var abi3 = Build(SpecFixtures.Create(new RunRequest { Command = ["true"] }), new FakeHostProbe(landlockAbi: 3));
        Assert.DoesNotContain(abi3.Ops, op => op.Kind == OpKind.Landlock);
    }

    [Fact]
    public void Keeps_exactly_the_three_default_capabilities()
    {
        var caps = Build().Ops.OfType<CapabilitiesOp>().Single();
        Assert.Equal((1UL << 29) | (1UL << 5) | (1UL << 10), caps.KeepMask);
        Assert.Equal(40, caps.LastCapability);
    }

    private static SpecFixturesUser AppUser => new();

    [Fact]
    public void A_user_other_than_root_is_switched_to_before_the_capabilities_are_cut_to_its_own()
    {
        var plan = Build(AppUser.Spec(new RunRequest { Command = ["true"] }));
        var kinds = plan.Ops.Select(op => op.Kind).SkipWhile(k => k != OpKind.NewSession).ToList();
        // runc's order: the ids change while the capabilities to change them are held (kept across
        // the switch by PR_SET_KEEPCAPS), then the sets are cut; no_new_privs, Landlock and seccomp after.
        Assert.Equal([OpKind.NewSession, OpKind.Identity, OpKind.Capabilities, OpKind.NoNewPrivileges, OpKind.Landlock, OpKind.CloseFds, OpKind.Seccomp, OpKind.Exec], kinds);
        var identity = plan.Ops.OfType<IdentityOp>().Single();
        Assert.Equal((1000u, 1000u), (identity.Uid, identity.Gid));
        Assert.Equal([1000u, 2000u], identity.Groups);
        Assert.Equal("become uid 1000 gid 1000 groups 1000,2000", identity.Description);
        var caps = plan.Ops.OfType<CapabilitiesOp>().Single();
        Assert.Equal((0UL, (1UL << 29) | (1UL << 5) | (1UL << 10)), (caps.KeepMask, caps.BoundingMask));
        Assert.Equal("keep capabilities none (bounding set CAP_KILL,CAP_NET_BIND_SERVICE,CAP_AUDIT_WRITE)", caps.Description);
        Assert.Equal(("0 40000 1\n1 200000 65536\n", "0 40000 1\n1 300000 65536\n"), (plan.Ids.UidMap, plan.Ids.GidMap));
    }

    [Fact]
    public void A_user_holds_the_capabilities_added_for_it_and_root_all_of_them()
    {
        var caps = Build(AppUser.Spec(new RunRequest { Command = ["true"], CapAdd = ["NET_ADMIN"] })).Ops.OfType<CapabilitiesOp>().Single();
        Assert.Equal(1UL << 12, caps.KeepMask);
        Assert.Equal((1UL << 29) | (1UL << 5) | (1UL << 10) | (1UL << 12), caps.BoundingMask);
        var root = Build().Ops.OfType<CapabilitiesOp>().Single();
        Assert.Equal(root.KeepMask, root.BoundingMask);
        Assert.DoesNotContain(Build().Ops, op => op.Kind == OpKind.Identity);
    }

    [Fact]
    public void Dry_run_shows_the_maps_their_writers_and_the_identity_step()
    {
        var text = PlanPrinter.Print(Build(AppUser.Spec(new RunRequest { Command = ["id"] })));
        Assert.Contains("id maps: uid 0 40000 1, 1 200000 65536; gid 0 40000 1, 1 300000 65536 (inside, host, count; written by /usr/bin/newuidmap and /usr/bin/newgidmap, setgroups allowed)\n", text);
        Assert.Contains("  become uid 1000 gid 1000 groups 1000,2000\n", text);
        Assert.Contains("id maps: uid 0 1000 1; gid 0 1000 1 (inside, host, count; setgroups denied)\n", PlanPrinter.Print(Build()));
    }

    /// <summary>User app (1000:1000, also in group 2000) with the caller's subordinate ids mapped.</summary>
    private sealed class SpecFixturesUser
    {
        public RunF.Runtime.Identity.ContainerIdentity Identity { get; } = new(
            new IdMaps([new(0, 40000, 1), new(1, 200000, 65536)], [new(0, 40000, 1), new(1, 300000, 65536)], new("/usr/bin/newuidmap", "/usr/bin/newgidmap")),
            new ContainerUser(1000, 1000, [1000, 2000], "/home/app"));

        public ContainerSpec Spec(RunRequest request) => SpecFixtures.Create(request, identity: Identity);
    }

    [Fact]
    public void Limits_open_files_to_1024()
    {
        var rlimit = Build().Ops.OfType<RlimitOp>().Single();
        Assert.Equal((7, 1024UL, 1024UL), (rlimit.Resource, rlimit.Soft, rlimit.Hard));
    }

    [Fact]
    public void Searches_the_container_path_for_the_command()
    {
        var exec = Assert.IsType<ExecOp>(Build().Ops[^1]);
        Assert.Equal(["sh", "-c", "true"], exec.Args);
        Assert.Equal(["/usr/local/sbin/sh", "/usr/local/bin/sh", "/usr/sbin/sh", "/usr/bin/sh", "/sbin/sh", "/bin/sh"], exec.Candidates);
        Assert.Equal(["/opt/x"], PlanBuilder.ExecCandidates("/opt/x", []));
        Assert.Equal(["/a/ls", "/b/ls"], PlanBuilder.ExecCandidates("ls", ["PATH=/a:/b/"]));
    }

    [Fact]
    public void Runs_the_command_under_runf_init_unless_no_init()
    {
        var exec = Assert.IsType<ExecOp>(Build(SpecFixtures.Create(new RunRequest { Command = ["sleep", "1"] })).Ops[^1]);
        Assert.Equal(OpFlags.ViaInit, exec.Flags);
        Assert.Equal(["sleep", "1"], exec.Args);
        Assert.Equal(OpFlags.None, Build(SpecFixtures.Create(new RunRequest { Command = ["sleep", "1"], Init = false })).Ops[^1].Flags);
    }

    [Fact]
    public void Sets_the_hostname_and_working_directory()
    {
        var plan = Build(SpecFixtures.Create(new RunRequest { Command = ["true"], Hostname = "fn", WorkingDir = "/srv" }));
        Assert.Equal("fn", plan.Ops.OfType<HostnameOp>().Single().Hostname);
        Assert.Equal("/srv", plan.Ops.OfType<ChdirOp>().Single().Target);
    }
}
