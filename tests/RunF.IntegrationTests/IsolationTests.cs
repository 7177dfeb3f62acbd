using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>What a function sees from inside: identity, namespaces, filesystems, privileges.</summary>
[Collection(RunfCollection.Name)]
public class IsolationTests(TestEnvironment env)
{
    private RunResult Sh(string script) => Runf.Run(env, "sh", "-c", script);

    private string ShOk(string script)
    {
        var r = Sh(script);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }

    [Fact]
    public void Maps_the_callers_uid_to_root_and_nothing_else()
    {
        var uid = TestEnvironment.IsRoot ? TestEnvironment.TestUid : uint.Parse(Shell.Run("id", "-u").Trim());
        var lines = ShOk("cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; cat /proc/self/setgroups").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", uid.ToString(), "1"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("0", lines[2]);
        Assert.Equal("0", lines[3]);
        Assert.Equal("deny", lines[4]);
    }

    [Fact]
    public void Gets_a_random_docker_style_hostname_per_run()
    {
        var first = ShOk("hostname; echo $HOSTNAME").Split('\n');
        var second = ShOk("hostname").Trim();
        Assert.Matches("^[a-z]+_[a-z]+$", first[0]);
        Assert.Equal(first[0], first[1]);
        Assert.NotEqual(first[0], second);
        Assert.Equal("fn\n", Runf.Run(env, "--hostname", "fn", "hostname").Stdout);
    }

    [Fact]
    public void Root_filesystem_is_read_only_but_tmp_is_writable()
    {
        var r = Sh("touch /x; echo $?; echo data > /tmp/f && cat /tmp/f");
        Assert.Contains("Read-only file system", r.Stderr);
        Assert.Equal("1\ndata\n", r.Stdout);
    }

    [Theory]
    [InlineData("/proc/acpi")]
    [InlineData("/proc/asound")]
    [InlineData("/proc/kcore")]
    [InlineData("/proc/keys")]
    [InlineData("/proc/latency_stats")]
    [InlineData("/proc/timer_list")]
    [InlineData("/proc/timer_stats")]
    [InlineData("/proc/sched_debug")]
    [InlineData("/proc/scsi")]
    [InlineData("/sys/firmware")]
    public void Masked_paths_are_empty_or_absent(string path)
    {
        var output = ShOk($"if [ -d {path} ]; then echo dir; ls -A {path}; elif [ -e {path} ]; then echo file; wc -c < {path}; else echo absent; fi");
        Assert.Contains(output.Trim(), new[] { "dir", "file\n0", "absent" });
    }

    [Theory]
    [InlineData("/proc/sys/kernel/hostname")]
    [InlineData("/proc/sys/vm/drop_caches")]
    [InlineData("/proc/sysrq-trigger")]
    [InlineData("/sys/kernel/uevent_helper")]
    [InlineData("/sys/fs/cgroup/pids/pids.max")]
    public void Kernel_interfaces_are_read_only(string path)
    {
        var r = Sh($"[ -e {path} ] || {{ echo absent; exit 0; }}; echo 1 > {path}");
        Assert.True(r.Stdout.Trim() == "absent" || r.Stderr.Contains("Read-only file system"), r.ToString());
    }

    [Fact]
    public void Cgroup_tree_cannot_be_changed()
    {
        var r = Sh("for d in /sys/fs/cgroup /sys/fs/cgroup/*; do mkdir $d/runf-escape 2>&1; done; true");
        Assert.DoesNotContain("runf-escape", ShOk("ls /sys/fs/cgroup /sys/fs/cgroup/* 2>/dev/null"));
        Assert.Contains("Read-only file system", r.Stdout);
    }

    [Fact]
    public void Sees_only_its_own_processes_under_runf_init()
    {
        var lines = ShOk("echo $$; ps -o pid,args; true").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).ToList();
        Assert.Equal("2", lines[0]);
        Assert.StartsWith("1 {memfd:runf-init} runf-init ", lines[2]); // busybox ps shows comm in braces where it differs from argv[0]
        Assert.StartsWith("2 sh -c", lines[3]);
        Assert.Matches("^[0-9]+ [{]?ps", lines[4]);
        Assert.Equal(5, lines.Count);
    }

    [Fact]
    public void Shares_only_the_network_namespace_with_the_executor()
    {
        var inside = ShOk("for ns in net user mnt pid uts ipc; do readlink /proc/self/ns/$ns; done").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var outside = new[] { "net", "user", "mnt", "pid", "uts", "ipc" }.Select(ns => new FileInfo($"/proc/self/ns/{ns}").LinkTarget).ToArray();
        Assert.Equal(outside[0], inside[0]);
        for (var i = 1; i < outside.Length; i++)
        {
            Assert.NotEqual(outside[i], inside[i]);
        }
    }

    [Fact]
    public void Holds_exactly_three_capabilities_and_no_new_privileges()
    {
        var status = ShOk("grep -E '^(Cap|NoNewPrivs)' /proc/self/status");
        foreach (var set in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
        {
            Assert.Contains($"{set}:\t0000000020000420", status);
        }
        Assert.Contains("NoNewPrivs:\t1", status);
    }

    [Fact]
    public void Open_files_are_limited_to_1024()
    {
        Assert.Equal("1024\n1024\n", ShOk("ulimit -n; ulimit -Hn"));
        Assert.Equal("64\n", Runf.Run(env, "--ulimit", "nofile=64", "sh", "-c", "ulimit -n").Stdout);
    }

    [Fact]
    public void Inherits_only_stdin_stdout_and_stderr()
    {
        // What the command starts with: 0, 1, 2, and 3, the directory ls opens to list them.
        Assert.Equal("0\n1\n2\n3\n", ShOk("exec ls /proc/self/fd"));
    }

    [Fact]
    public void Has_the_usual_devices_and_a_sane_environment()
    {
        var output = ShOk("ls /dev; echo; env | sort; echo; head -c 4 /dev/zero | wc -c; pwd");
        foreach (var device in new[] { "null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "fd", "stdin", "ptmx" })
        {
            Assert.Contains(device + "\n", output);
        }
        Assert.Contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", output);
        Assert.Contains("TERM=xterm\n", output);
        Assert.EndsWith("4\n/\n", output);
        Assert.Contains("A=b c\n", Runf.Run(env, "-e", "A=b c", "-w", "/tmp", "env").Stdout);
        Assert.Equal("/tmp\n", Runf.Run(env, "-w", "/tmp", "pwd").Stdout);
    }

    [Fact]
    public void Uses_the_executors_resolver_unless_told_not_to()
    {
        var hostResolv = File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "";
        Assert.Equal(hostResolv, ShOk("cat /etc/resolv.conf"));
        Assert.Equal("", Runf.Run(env, "--no-dns", "cat", "/etc/resolv.conf").Stdout);
        Assert.Matches(@"/etc/resolv.conf \S+ ro[,\s]", ShOk("cat /proc/self/mountinfo"));
    }

    [Fact]
    public void A_rootfs_that_lacks_the_resolver_files_and_cannot_take_them_still_runs()
    {
        var rootfs = env.CopyRootfs("noresolv");
        File.Delete(Path.Combine(rootfs, "etc/resolv.conf"));
        File.Delete(Path.Combine(rootfs, "etc/hosts"));
        var r = Runf.Run(env, "--rootfs", rootfs, "sh", "-c", "ls /etc");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("resolv.conf", r.Stdout);
        Assert.False(File.Exists(Path.Combine(rootfs, "etc/resolv.conf"))); // the root-owned rootfs was not changed
    }

    [Fact]
    public void Binds_host_paths_read_only_unless_rw()
    {
        var dir = env.NewDir("bind");
        File.WriteAllText(Path.Combine(dir, "in"), "hello");
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff); // the test user writes here
        var ro = Runf.Run(env, "--bind", $"{dir}:/mnt", "sh", "-c", "cat /mnt/in; touch /mnt/x");
        Assert.Equal("hello", ro.Stdout);
        Assert.Contains("Read-only file system", ro.Stderr);
        var rw = Runf.Run(env, "--bind", $"{dir}:/mnt:rw", "sh", "-c", "echo out > /mnt/out");
        Assert.Equal(0, rw.ExitCode);
        Assert.Equal("out\n", File.ReadAllText(Path.Combine(dir, "out")));
        var missing = Runf.Run(env, "--bind", $"{dir}:/data", "true");
        Assert.Contains($"lacks the mount point /data: create it there (mkdir -p {env.Rootfs}/data): runf never writes into a rootfs", missing.Stderr);
    }
}
