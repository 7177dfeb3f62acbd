using System.Text;
using System.Text.Json.Nodes;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Oci;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Tests.Oci;

/// <summary>config.json → plan, without privileges: what runc's `runc spec` config becomes, and every refusal.</summary>
public class OciPlanBuilderTests : TempDirectoryTest
{
    private static readonly OciCaller HostRoot = new(0, 0, InitialUserNamespace: true, Tools: null);
    private static readonly OciCaller User = new(40000, 40000, InitialUserNamespace: true, Tools: null);

    public OciPlanBuilderTests() => Directory.CreateDirectory(Path.Combine(Dir, "rootfs"));

    /// <summary>`runc spec` (1.1), with terminal off: the config every engine's resembles.</summary>
    internal static JsonObject RuncSpec() => JsonNode.Parse("""
        {
          "ociVersion": "1.0.2-dev",
          "process": {
            "terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh"],
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], "cwd": "/",
            "capabilities": {
              "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
              "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
              "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
              "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
            },
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": true
          },
          "root": {"path": "rootfs", "readonly": true},
          "hostname": "runc",
          "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
          ],
          "linux": {
            "resources": {"devices": [{"allow": false, "access": "rwm"}]},
            "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
            "maskedPaths": ["/proc/acpi", "/proc/keys", "/sys/firmware"],
            "readonlyPaths": ["/proc/bus", "/proc/sys"]
          }
        }
        """)!.AsObject();

    private OciContainerPlan Build(JsonObject config, OciCaller? caller = null, string? gate = "/run/runf/c1/exec.fifo")
    {
        var bytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        return new OciPlanBuilder(new WithShell(new FakeHostProbe()), caller ?? HostRoot).Build(OciConfigLoader.Parse(bytes, "config.json"), Dir, "c1", gate);
    }

    /// <summary>The fake host, with /bin/sh a file in every rootfs (create checks the command is there).</summary>
    private sealed class WithShell(IHostProbe inner) : IHostProbe
    {
        public PathKind KindOf(string hostPath) => inner.KindOf(hostPath);
        public PathKind KindInRoot(string rootfs, string path) => path == "/bin/sh" ? PathKind.File : inner.KindInRoot(rootfs, path);
        public int LastCapability => inner.LastCapability;
        public ulong FdLimit => inner.FdLimit;
        public ulong HardLimit(int resource) => inner.HardLimit(resource);
        public int LandlockAbi => inner.LandlockAbi;
        public bool UnderSeccompFilter => inner.UnderSeccompFilter;
        public bool HasCapability(int cap) => inner.HasCapability(cap);
    }

    private string Refusal(JsonObject config, OciCaller? caller = null) =>
        Assert.Throws<RunfException>(() => Build(config, caller)).Message;

    [Fact]
    public void Runc_spec_becomes_a_detached_plan_gated_just_before_the_exec()
    {
        var built = Build(RuncSpec());
        var plan = built.Plan;
        Assert.True(plan.Detached);
        Assert.Equal(Namespaces.NewPid | Namespaces.NewNet | Namespaces.NewIpc | Namespaces.NewUts | Namespaces.NewMount, plan.CloneFlags);
        Assert.Equal("/run/runf/c1/exec.fifo", Assert.IsType<OpenGateOp>(plan.Ops[0]).Fifo);
        Assert.IsType<WaitGateOp>(plan.Ops[^2]);
        Assert.Equal(["sh"], Assert.IsType<ExecOp>(plan.Ops[^1]).Args);
        Assert.Equal(Path.Combine(Dir, "rootfs"), built.Rootfs);
        Assert.Null(built.Cgroup); // no cgroupsPath and no limit
        Assert.Equal(0x12u, built.Umask);
        var descriptions = plan.Ops.Select(op => op.Description).ToList();
        // The mounts in order, the default devices on the /dev tmpfs, masks, read-only paths, the read-only root, then the pivot.
        Assert.True(descriptions.IndexOf("mount proc on /proc") < descriptions.IndexOf("mount tmpfs on /dev"));
        Assert.True(descriptions.IndexOf("mount devpts on /dev/pts") < descriptions.IndexOf("bind /dev/null on /dev/null"));
        Assert.Contains("bind /sys/fs/cgroup on /sys/fs/cgroup", descriptions);
        Assert.Contains("mask /proc/keys", descriptions);
        Assert.Contains("make /proc/sys read-only", descriptions);
        Assert.True(descriptions.IndexOf("make the rootfs read-only (root.readonly)") < descriptions.IndexOf("pivot_root into the rootfs"));
        var caps = Assert.Single(plan.Ops.OfType<CapabilitySetsOp>());
        Assert.Equal((1UL << 29) | (1UL << 5) | (1UL << 10), caps.Bounding);
        Assert.Equal(caps.Bounding, caps.Permitted);
        Assert.Equal(0UL, caps.Inheritable);
        Assert.Equal(0UL, caps.Ambient); // ambient needs inheritable too: left out, with a warning
        Assert.Contains(built.Warnings, w => w.StartsWith("process.capabilities.ambient"));
        // A bind of the cgroup hierarchy is read-only, down to every submount.
        var cgroupRo = plan.Ops.OfType<MountAttributesOp>().Single(op => op.Target == "/sys/fs/cgroup");
        Assert.Equal(OciMountOptions.AttrRdonly | OciMountOptions.AttrNosuid | OciMountOptions.AttrNodev | OciMountOptions.AttrNoexec, cgroupRo.Set);
        Assert.Equal(OpFlags.Recursive, cgroupRo.Flags);
    }

    [Fact]
    public void A_plan_without_a_gate_executes_at_once() =>
        Assert.DoesNotContain(Build(RuncSpec(), gate: null).Plan.Ops, op => op is OpenGateOp or WaitGateOp);

    [Fact]
    public void Mount_points_are_made_one_directory_at_a_time_and_a_file_bind_gets_a_file()
    {
        var config = RuncSpec();
        File.WriteAllText(Path.Combine(Dir, "hosts"), "");
        config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/etc/hosts", "type": "bind", "source": "hosts", "options": ["rbind", "ro", "rprivate"]}"""));
        config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/data/a/b", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "nodev"]}"""));
        var ops = Build(config).Plan.Ops;
        var hosts = ops.SkipWhile(op => op.Path != "/etc").Take(5).ToList();
        Assert.IsType<EnsureDirOp>(hosts[0]);
        Assert.Equal("/etc/hosts", Assert.IsType<EnsureFileOp>(hosts[1]).Target);
        var bind = Assert.IsType<MountOp>(hosts[2]);
        Assert.Equal((Path.Combine(Dir, "hosts"), MountFlags.Bind | MountFlags.Recursive), (bind.Source, bind.MountFlags));
        Assert.Equal(OciMountOptions.AttrRdonly, Assert.IsType<MountAttributesOp>(hosts[3]).Set);
        Assert.Equal((MountFlags)(OciMountOptions.MsPrivate | OciMountOptions.MsRec), Assert.IsType<MountOp>(hosts[4]).MountFlags);
        Assert.Equal(["/data", "/data/a", "/data/a/b"], ops.OfType<EnsureDirOp>().Select(op => op.Target).Where(t => t.StartsWith("/data")));
        var tmpfs = ops.OfType<MountOp>().Single(op => op.Target == "/data/a/b");
        Assert.Equal(("size=1m", MountFlags.NoDev), (tmpfs.Data, tmpfs.MountFlags));
    }

    [Fact]
    public void Seccomp_without_no_new_privileges_comes_before_the_user_and_capabilities_change()
    {
        var config = RuncSpec();
        config["linux"]!["seccomp"] = JsonNode.Parse("""{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO"}]}""");
        var late = Build(config).Plan.Ops.Select(op => op.Kind).ToList();
        Assert.Equal([OpKind.WaitGate, OpKind.Seccomp, OpKind.Exec], late[^3..]);
        config["process"]!["noNewPrivileges"] = false;
        config["process"]!["user"] = JsonNode.Parse("""{"uid": 1000, "gid": 1000, "additionalGids": [10]}""");
        var early = Build(config).Plan.Ops.Select(op => op.Kind).ToList();
        Assert.True(early.IndexOf(OpKind.Seccomp) < early.IndexOf(OpKind.Identity));
        Assert.True(early.IndexOf(OpKind.Identity) < early.IndexOf(OpKind.CapabilitySets));
        Assert.DoesNotContain(OpKind.NoNewPrivileges, early);
    }

    [Fact]
    public void Unknown_fields_are_refused_by_their_path_and_empty_ones_accepted()
    {
        var config = RuncSpec();
        config["linux"]!["intelRdt"] = JsonNode.Parse("""{"closID": "guaranteed"}""");
        config["process"]!["ioPriority"] = JsonNode.Parse("""{"class": "IOPRIO_CLASS_RT"}""");
        config["linux"]!["resources"]!["blockIO"] = new JsonObject();
        config["linux"]!["resources"]!["memory"] = JsonNode.Parse("""{"limit": 1000000, "swappiness": 0, "checkBeforeUpdate": true}""");
        Assert.Equal("config.json: process.ioPriority, linux.intelRdt, linux.resources.memory.checkBeforeUpdate are not supported by runf: remove them (docs/oci.md lists what runf honours)", Refusal(config));
    }

    [Fact]
    public void A_property_runtime_spec_does_not_define_is_ignored_with_a_warning_as_the_spec_requires()
    {
        var config = RuncSpec();
        config["unknown"] = "value";
        config["process"]!["vendorThing"] = 1;
        var built = Build(config);
        Assert.Contains("unknown ignored: runtime-spec defines no such property", built.Warnings);
        Assert.Contains("process.vendorThing ignored: runtime-spec defines no such property", built.Warnings);
    }

    /// <summary>As runc: an engine may name capabilities runf (or the kernel) does not know.</summary>
    [Fact]
    public void Capabilities_unknown_to_runf_or_the_kernel_are_left_out_with_a_warning()
    {
        var config = RuncSpec();
        var caps = new JsonArray("CAP_KILL", "CAP_TEST");
        config["process"]!["capabilities"] = new JsonObject
        {
            ["bounding"] = caps.DeepClone(), ["effective"] = caps.DeepClone(), ["permitted"] = caps.DeepClone(),
        };
        var built = Build(config);
        var sets = Assert.Single(built.Plan.Ops.OfType<CapabilitySetsOp>());
        Assert.Equal(1UL << 5, sets.Bounding); // CAP_KILL alone
        Assert.Equal(1UL << 5, sets.Permitted);
        Assert.Contains("process.capabilities: CAP_TEST ignored: unknown to runf or to this kernel (runc ignores them too)", built.Warnings);
    }

    [Fact]
    public void Rootless_needs_a_user_namespace_and_maps_its_own_ids_itself()
    {
        Assert.Contains("runf runs as uid 40000, not root, and the config has no user namespace", Refusal(RuncSpec(), User));
        var config = RuncSpec();
        config["linux"]!["namespaces"]!.AsArray().Add(JsonNode.Parse("""{"type": "user"}"""));
        config["linux"]!["uidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 40000, "size": 1}]""");
        config["linux"]!["gidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 40000, "size": 1}]""");
        var plan = Build(config, User).Plan;
        Assert.Equal("0 40000 1\n", plan.Ids.UidMap);
        Assert.Null(plan.Ids.Tools);
        Assert.False(plan.Ids.AllowSetgroups);
        Assert.DoesNotContain(plan.Ops, op => op is IdentityOp); // root inside, and setgroups is denied
        config["linux"]!["uidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 40000, "size": 1}, {"containerID": 1, "hostID": 500000000, "size": 65536}]""");
        Assert.Contains("takes newuidmap and newgidmap", Refusal(config, User));
        Assert.True(Build(config, HostRoot).Plan.Ids.AllowSetgroups); // root writes the maps itself, setgroups allowed
    }

    [Fact]
    public void Namespaces_joined_by_path_become_setns_steps_but_user_and_pid_are_refused()
    {
        var config = RuncSpec();
        config["linux"]!["namespaces"] = JsonNode.Parse("""[{"type": "pid"}, {"type": "network", "path": "/var/run/netns/x"}, {"type": "mount"}, {"type": "cgroup"}]""");
        var plan = Build(config).Plan;
        Assert.Equal(Namespaces.NewPid | Namespaces.NewMount, plan.CloneFlags); // the cgroup namespace is unshared by a step
        var steps = plan.Ops.OfType<NamespaceOp>().ToList();
        Assert.Equal([(Namespaces.NewNet, "/var/run/netns/x"), (0x02000000UL, (string?)null)], steps.Select(s => (s.Type, s.NamespacePath)));
        config["linux"]!["namespaces"] = JsonNode.Parse("""[{"type": "pid", "path": "/proc/1/ns/pid"}, {"type": "mount"}]""");
        Assert.Contains("joining the pid namespace /proc/1/ns/pid is not supported by runf", Refusal(config));
        config["linux"]!["namespaces"] = JsonNode.Parse("""[{"type": "time"}, {"type": "mount"}]""");
        Assert.Contains("linux.namespaces[0].type \"time\" is not supported by runf", Refusal(config));
        config["linux"]!["namespaces"] = JsonNode.Parse("""[{"type": "pid"}]""");
        Assert.Contains("no new mount namespace", Refusal(config));
    }

    [Fact]
    public void Sysctls_are_written_only_in_the_containers_own_namespaces()
    {
        var config = RuncSpec();
        config["linux"]!["sysctl"] = JsonNode.Parse("""{"net.ipv4.ping_group_range": "0 0", "kernel.shmmax": "1000"}""");
        var writes = Build(config).Plan.Ops.OfType<WriteFileOp>().Select(w => (w.Target, w.Content)).ToList();
        Assert.Equal([("/proc/sys/net/ipv4/ping_group_range", "0 0"), ("/proc/sys/kernel/shmmax", "1000")], writes);
        config["linux"]!["sysctl"] = JsonNode.Parse("""{"vm.swappiness": "1"}""");
        Assert.Contains("linux.sysctl.vm.swappiness is not namespaced", Refusal(config));
    }

    [Fact]
    public void Cgroups_path_and_resources_become_limits_and_a_systemd_path_is_refused()
    {
        var config = RuncSpec();
        config["linux"]!["cgroupsPath"] = "/libpod_parent/libpod-c1";
        config["linux"]!["resources"] = JsonNode.Parse("""{"memory": {"limit": 67108864, "swap": 134217728}, "pids": {"limit": 100}, "cpu": {"quota": 50000, "period": 100000, "shares": 1024}}""");
        var cgroup = Build(config).Cgroup!;
        Assert.Equal("/libpod_parent/libpod-c1", cgroup.Path);
        Assert.Equal((67108864L, 134217728L, 100L, 0.5), (cgroup.Limits.MemoryBytes, cgroup.Limits.MemorySwapBytes, cgroup.Limits.PidsLimit, cgroup.Limits.Cpus));
        config["linux"]!["cgroupsPath"] = "system.slice:libpod:c1";
        Assert.Contains("is a systemd unit", Refusal(config));
        config["linux"]!["cgroupsPath"] = "/x";
        config["linux"]!["resources"]!["cpu"]!["period"] = 50000;
        Assert.Contains("linux.resources.cpu.period 50000 is not supported by runf", Refusal(config));
    }

    [Fact]
    public void Bad_mounts_hooks_and_options_are_refused_with_their_field()
    {
        var config = RuncSpec();
        config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/x", "type": "bind", "source": "/no/such/dir"}"""));
        Assert.Equal("config.json: mounts[5].source /no/such/dir does not exist", Refusal(config));
        config = RuncSpec();
        config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}"""));
        Assert.Contains("mounts[5].options: the mount option \"idmap\" is not supported by runf", Refusal(config));
        config = RuncSpec();
        Directory.CreateDirectory(Path.Combine(Dir, "rootfs", "etc"));
        File.WriteAllText(Path.Combine(Dir, "rootfs", "etc", "passwd"), "root:x:0:0::/:/bin/sh\n");
        config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}"""));
        config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}"""));
        Assert.Contains("mounts[6].options tmpcopyup: /etc/passwd in the rootfs has data", Refusal(config));
        File.WriteAllText(Path.Combine(Dir, "rootfs", "etc", "passwd"), "");
        Directory.CreateDirectory(Path.Combine(Dir, "rootfs", "etc", "d"));
        var ops = Build(config).Plan.Ops;
        var tmpfs = ops.ToList().FindIndex(op => op is MountOp { Target: "/etc" });
        Assert.Equal(["/etc/d", "/etc/passwd"], ops.Skip(tmpfs + 1).Take(2).Select(op => op.Path));
        config = RuncSpec();
        config["hooks"] = JsonNode.Parse("""{"startContainer": [{"path": "/bin/true"}]}""");
        Assert.Contains("hooks.createContainer and hooks.startContainer are not supported", Refusal(config));
        config = RuncSpec();
        config["process"]!["args"] = new JsonArray("no-such-command");
        var missing = Assert.Throws<RunfException>(() => Build(config));
        Assert.Equal(("exec: \"no-such-command\": executable file not found in $PATH", 127), (missing.Message, missing.ExitCode));
        config = RuncSpec();
        config["process"]!["args"] = new JsonArray();
        Assert.Contains("process.args is empty", Refusal(config));
        config = RuncSpec();
        config["root"]!["path"] = "nowhere";
        Assert.Contains("root.path", Refusal(config));
    }

    [Fact]
    public void Only_the_initial_user_namespace_maps_every_id_to_itself() =>
        Assert.Equal([true, false, false],
            new[] { "         0          0 4294967295\n", "         0      40000          1\n", null }.Select(OciCaller.IsInitialUserNamespace));
}
