using System.Diagnostics;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Tests;

/// <summary>
/// A plan written by PlanSerializer, read back by the launcher's own reader: native/plan_dump.c
/// includes launcher.c and prints every op as the child will see it (built by `make -C native`).
/// </summary>
public class PlanReaderTests : TempDirectoryTest
{
    private static readonly string PlanDump = Path.Combine(RepoRoot(), "native", "build", "plan-dump");

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RunF.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("RunF.sln not found above the test assembly");
    }

    private string[] Dump(SetupPlan plan, bool timing = false)
    {
        Assert.True(File.Exists(PlanDump), $"{PlanDump} is missing: run make -C native");
        var file = Path.Combine(Dir, "plan");
        File.WriteAllBytes(file, PlanBytes.Of(plan, timing));
        var psi = new ProcessStartInfo(PlanDump, [file]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void The_launcher_reads_every_kind_of_op_as_written()
    {
        SetupOp[] ops =
        [
            Ops.MakeRootPrivate(),
            Ops.MountFs("proc", "/proc", MountFlags.NoSuid | MountFlags.NoExec, opFlags: OpFlags.NoSymlinks),
            Ops.EnterRoot("/srv/rootfs"),
            Ops.EnsureDir("/dev/pts"),
            Ops.EnsureFile("/etc/hosts", OpFlags.Optional),
            Ops.Symlink("/dev/fd", "/proc/self/fd"),
            Ops.RemountReadOnly("/sys", OpFlags.Recursive),
            Ops.RemountWritable("/data"),
            Ops.PivotRoot(),
            Ops.Hostname("zen_turing"),
            Ops.SetRlimit(new Spec.Rlimit(7, 1024, 2048)),
            Ops.SwitchUser(new Spec.ContainerUser(1000, 2000, [2000, 10, 4294967294], "/home/app")),
            Ops.KeepCapabilities([5, 10], 40, held: [10]),
            Ops.NoNewPrivileges(),
            Ops.Landlock(1, 3, [80, 8443], "landlock"),
            Ops.Chdir("/"),
            Ops.NewSession(),
            Ops.CloseFds(4096),
            Ops.Seccomp(new byte[24]),
            Ops.Await(),
            Ops.Exec(["echo", "héllo", ""], ["A=1"], ["/bin/echo", "/usr/bin/echo"]) with { Flags = OpFlags.ViaInit },
        ];
        Assert.Equal(
        [
            "plan version=1 flags=1 ops=21",
            "0 kind=1 flags=0 s=[-|/|-|-] n=[278528|0|0]",
            "1 kind=1 flags=9 s=[proc|/proc|proc|-] n=[10|0|0]",
            "2 kind=2 flags=0 s=[/srv/rootfs|-|-|-] n=[0|0|0]",
            "3 kind=3 flags=0 s=[/dev|pts|-|-] n=[493|0|0]",
            "4 kind=4 flags=4 s=[/etc|hosts|-|-] n=[420|0|0]",
            "5 kind=5 flags=0 s=[/dev|fd|/proc/self/fd|-] n=[0|0|0]",
            "6 kind=6 flags=32 s=[/sys|-|-|-] n=[1|0|0]",
            "7 kind=6 flags=0 s=[/data|-|-|-] n=[0|1|0]",
            "8 kind=7 flags=0 s=[-|-|-|-] n=[0|0|0]",
            "9 kind=8 flags=0 s=[zen_turing|-|-|-] n=[0|0|0]",
            "10 kind=9 flags=0 s=[-|-|-|-] n=[7|1024|2048]",
            $"11 kind=19 flags=0 uid=1000 gid=2000 groups@{StringRef(ops, 11)}%4=0 [2000|10|4294967294]",
            "12 kind=10 flags=0 s=[-|-|-|-] n=[1024|40|1056]",
            "13 kind=11 flags=0 s=[-|-|-|-] n=[0|0|0]",
            "14 kind=18 flags=0 net=1 scoped=3 ports=[80|8443]",
            "15 kind=12 flags=0 s=[/|-|-|-] n=[0|0|0]",
            "16 kind=16 flags=0 s=[-|-|-|-] n=[0|0|0]",
            "17 kind=13 flags=0 s=[-|-|-|-] n=[4096|0|0]",
            $"18 kind=14 flags=0 filter@{StringRef(ops, 18)}%8=0 len=3",
            "19 kind=17 flags=0 s=[-|-|-|-] n=[0|0|0]",
            "20 kind=15 flags=128 argv=[echo|héllo|] envp=[A=1] paths=[/bin/echo|/usr/bin/echo]",
        ], Dump(new SetupPlan(0, IdMaps.RootAs(1000, 1000), ops), timing: true));
    }

    [Fact]
    public void The_launcher_reads_the_terminal_op_as_written() =>
        Assert.Equal(
        [
            "plan version=1 flags=0 ops=2",
            "0 kind=20 flags=0 s=[/dev/pts/ptmx|-|-|-] n=[24|80|0]",
            "1 kind=15 flags=0 argv=[sh] envp=[] paths=[/bin/sh]",
        ], Dump(new SetupPlan(0, IdMaps.RootAs(1000, 1000), [Ops.Terminal(new Spec.TerminalSize(24, 80)), Ops.Exec(["sh"], [], ["/bin/sh"])])));

    [Fact]
    public void The_launcher_reads_the_oci_ops_and_the_detached_flag_as_written()
    {
        SetupOp[] ops =
        [
            new OpenGateOp("/run/runf/c1/exec.fifo") { Description = "gate" },
            new NamespaceOp(Namespaces.NewNet, "/proc/7/ns/net") { Description = "join" },
            new NamespaceOp(0x02000000, null) { Description = "cgroupns" },
            new WriteFileOp("/proc/sys/net/ipv4/ip_forward", "1") { Description = "sysctl" },
            new CapabilitySetsOp(0x20000420, 0x420, 0x420, 0x400, 0x400, 40) { Description = "caps" },
            new WaitGateOp { Description = "wait" },
            Ops.Exec(["sh"], [], ["/bin/sh"]),
        ];
        Assert.Equal(
        [
            "plan version=1 flags=2 ops=7",
            "0 kind=21 flags=0 s=[/run/runf/c1/exec.fifo|-|-|-] n=[0|0|0]",
            "1 kind=24 flags=0 s=[/proc/7/ns/net|-|-|-] n=[1073741824|0|0]",
            "2 kind=24 flags=0 s=[-|-|-|-] n=[33554432|0|0]",
            "3 kind=25 flags=0 s=[/proc/sys/net/ipv4/ip_forward|1|-|-] n=[0|0|0]",
            $"4 kind=23 flags=0 sets@{StringRef(ops, 4)}%8=0 [20000420|420|420|400|400] last=40",
            "5 kind=22 flags=0 s=[-|-|-|-] n=[0|0|0]",
            "6 kind=15 flags=0 argv=[sh] envp=[] paths=[/bin/sh]",
        ], Dump(new SetupPlan(0, IdMaps.RootAs(0, 0), ops) { Detached = true }));
    }

    [Fact]
    public void The_launcher_refuses_a_plan_that_does_not_end_with_exec() =>
        Assert.Throws<Xunit.Sdk.TrueException>(() => Dump(new SetupPlan(0, IdMaps.RootAs(0, 0), [Ops.Hostname("x")])));

    /// <summary>Where op index's s0 (the seccomp blob, the gid list) lands, taken from the bytes themselves (the dump prints it and checks its alignment).</summary>
    private static uint StringRef(SetupOp[] ops, int index)
    {
        var bytes = PlanBytes.Of(new SetupPlan(0, IdMaps.RootAs(1000, 1000), ops), timing: true);
        return BitConverter.ToUInt32(bytes, PlanSerializer.HeaderSize + index * PlanSerializer.OpSize + 8);
    }
}
