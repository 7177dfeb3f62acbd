using RunF.Runtime.Cgroups;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Tests;

/// <summary>
/// What the cgroup code writes where, against a directory of plain files standing in for a
/// cgroup filesystem (whose control files exist once the kernel makes the directory: the test
/// makes them first, empty). The real hierarchies are covered by the integration tests.
/// </summary>
public class CgroupWritesTests : TempDirectoryTest
{
    private static readonly CgroupLimits Limits = new() { MemoryBytes = 64 << 20, MemorySwapBytes = 96 << 20, PidsLimit = 32, Cpus = 0.5, CpuWeight = 100 };

    private string ControlFiles(string dir, params string[] files)
    {
        Directory.CreateDirectory(dir);
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(dir, file), "");
        }
        return dir;
    }

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file));

    [Fact]
    public void V2_enables_the_controllers_in_the_parent_and_writes_every_limit()
    {
        var parent = ControlFiles(Path.Combine(Dir, "parent"), "cgroup.subtree_control");
        var dir = ControlFiles(Path.Combine(parent, "runf-abc"), "memory.max", "memory.swap.max", "pids.max", "cpu.max", "cpu.weight", "cgroup.procs");

        var cgroup = CgroupV2.Create(parent, "runf-abc", Limits);
        cgroup.Join(4242);

        Assert.Equal("+memory +pids +cpu", Read(parent, "cgroup.subtree_control"));
        Assert.Equal($"{64 << 20}", Read(dir, "memory.max"));
        Assert.Equal($"{32 << 20}", Read(dir, "memory.swap.max")); // v2 counts swap alone
        Assert.Equal("32", Read(dir, "pids.max"));
        Assert.Equal("50000 100000", Read(dir, "cpu.max"));
        Assert.Equal("100", Read(dir, "cpu.weight"));
        Assert.Equal("4242", Read(dir, "cgroup.procs"));
    }

    [Fact]
    public void V2_leaves_enabled_controllers_alone_and_unlimited_swap_is_max()
    {
        var parent = ControlFiles(Path.Combine(Dir, "parent"), "cgroup.subtree_control");
        File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "cpu memory");
        var dir = ControlFiles(Path.Combine(parent, "runf-x"), "memory.max", "memory.swap.max");

        CgroupV2.Create(parent, "runf-x", new CgroupLimits { MemoryBytes = 1 << 20, MemorySwapBytes = -1 });

        Assert.Equal("cpu memory", Read(parent, "cgroup.subtree_control"));
        Assert.Equal("max", Read(dir, "memory.swap.max"));
    }

    [Fact]
    public void V2_names_the_file_it_cannot_write_and_removes_what_it_made()
    {
        var parent = ControlFiles(Path.Combine(Dir, "parent"), "cgroup.subtree_control");
        var e = Assert.Throws<RunfException>(() => CgroupV2.Create(parent, "runf-y", new CgroupLimits { PidsLimit = 5 }));
        Assert.Equal($"cannot set pids.max=5 in cgroup {parent}/runf-y: No such file or directory", e.Message);
        Assert.False(Directory.Exists(Path.Combine(parent, "runf-y")));
    }

    [Fact]
    public void V1_writes_each_limit_in_its_controllers_hierarchy_and_joins_them_all()
    {
        var memory = ControlFiles(Path.Combine(Dir, "memory", "runf-a"), "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "cgroup.procs");
        var pids = ControlFiles(Path.Combine(Dir, "pids", "runf-a"), "pids.max", "cgroup.procs");
        var cpu = ControlFiles(Path.Combine(Dir, "cpu", "runf-a"), "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares", "cgroup.procs");

        var cgroup = CgroupV1.Create(new Dictionary<string, string> { ["memory"] = memory, ["pids"] = pids, ["cpu"] = cpu }, Limits);
        cgroup.Join(7);

        Assert.Equal($"{64 << 20}", Read(memory, "memory.limit_in_bytes"));
        Assert.Equal($"{96 << 20}", Read(memory, "memory.memsw.limit_in_bytes")); // v1 counts memory plus swap
        Assert.Equal("32", Read(pids, "pids.max"));
        Assert.Equal(("100000", "50000"), (Read(cpu, "cpu.cfs_period_us"), Read(cpu, "cpu.cfs_quota_us")));
        Assert.Equal("2597", Read(cpu, "cpu.shares")); // weight 100 as shares: 2 + 99 * 262142 / 9999
        Assert.All([memory, pids, cpu], dir => Assert.Equal("7", Read(dir, "cgroup.procs")));
    }

    [Fact]
    public void V1_without_the_rights_to_restrict_devices_goes_on_without_them()
    {
        var devices = ControlFiles(Path.Combine(Dir, "devices", "runf-d"));  // no devices.deny: the write fails
        var pids = ControlFiles(Path.Combine(Dir, "pids", "runf-d"), "pids.max");
        CgroupV1.Create(new Dictionary<string, string> { ["devices"] = devices, ["pids"] = pids }, new CgroupLimits { PidsLimit = 3 });
        Assert.Equal("3", Read(pids, "pids.max"));
        Assert.False(File.Exists(Path.Combine(devices, "devices.allow")));
    }
}
