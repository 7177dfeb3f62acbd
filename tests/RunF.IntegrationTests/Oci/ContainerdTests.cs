using System.Diagnostics;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Oci;

/// <summary>
/// containerd (Debian's 1.6) with runf as the runc shim's binary: a containerd of the test's own
/// (root, state and socket in the test directory), a docker-save archive of the test rootfs
/// imported with ctr, then `ctr run --runc-binary runf`. As root, as containerd runs.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ContainerdTests : IDisposable
{
    private const string Image = "docker.io/runf-test/busybox:latest";

    /// <summary>ctr's namespace, and so the parent of its containers' cgroups (/NAMESPACE/ID): removed at the end.</summary>
    private const string Namespace = "oci-ctr-test";
    private readonly TestEnvironment _env;
    private readonly string _dir;
    private readonly string _socket;
    private readonly Process _containerd;

    public ContainerdTests(TestEnvironment env)
    {
        Assert.True(TestEnvironment.IsRoot, "containerd runs as root");
        Assert.True(File.Exists("/usr/bin/containerd") && File.Exists("/usr/bin/ctr"), "containerd is not installed (test.sh installs it: apt-get install containerd)");
        _env = env;
        _dir = env.NewDir("containerd");
        _socket = Path.Combine(_dir, "c.sock");
        File.WriteAllText(Path.Combine(_dir, "config.toml"), "version = 2\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n");
        _containerd = Process.Start(new ProcessStartInfo("containerd", ["--config", Path.Combine(_dir, "config.toml"), "--root", Path.Combine(_dir, "root"),
            "--state", Path.Combine(_dir, "state"), "--address", _socket]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _containerd.OutputDataReceived += (_, _) => { };
        _containerd.ErrorDataReceived += (_, _) => { };
        _containerd.BeginOutputReadLine();
        _containerd.BeginErrorReadLine();
        for (var i = 0; i < 100 && !File.Exists(_socket); i++)
        {
            Thread.Sleep(50);
        }
        var archive = Path.Combine(_dir, "busybox.tar");
        Shell.Run("/bin/sh", "-ec", """
            cd "$1"; umoci init --layout oci; umoci new --image oci:bb; umoci unpack --rootless --image oci:bb bundle >/dev/null
            cp -a "$2"/. bundle/rootfs/; umoci repack --image oci:bb bundle >/dev/null
            umoci config --image oci:bb --config.cmd sh --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin
            skopeo copy --quiet oci:oci:bb "docker-archive:$3:runf-test/busybox:latest"
            """, "sh", _dir, env.Rootfs, archive);
        var imported = Ctr("images", "import", archive);
        Assert.True(imported.ExitCode == 0, imported.ToString());
    }

    private RunResult Ctr(params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo("ctr", ["--address", _socket, "-n", Namespace, .. args])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        return Runf.Finish(p, "ctr " + string.Join(' ', args), 60);
    }

    [Fact]
    public void Ctr_run_with_runf_as_the_runc_binary_passes_output_and_exit_code()
    {
        var r = Ctr("run", "--rm", "--runc-binary", _env.Runf, "--snapshotter", "native", "--env", "WHO=containerd", Image, "r1",
            "sh", "-c", "echo hello from $WHO; cat /proc/1/cmdline | tr '\\0' ' '; echo; exit 5");
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Equal("hello from containerd\nsh -c echo hello from $WHO; cat /proc/1/cmdline | tr '\\0' ' '; echo; exit 5 \n", r.Stdout);
    }

    [Fact]
    public void Ctr_exec_and_kill_a_detached_task()
    {
        var started = Ctr("run", "-d", "--runc-binary", _env.Runf, "--snapshotter", "native", Image, "d1", "sleep", "100");
        Assert.True(started.ExitCode == 0, started.ToString());
        try
        {
            var exec = Ctr("task", "exec", "--exec-id", "e1", "d1", "sh", "-c", "echo in-exec; exit 4");
            Assert.True(exec.ExitCode == 4, exec.ToString());
            Assert.Equal("in-exec\n", exec.Stdout);
            Assert.Equal(0, Ctr("task", "kill", "-s", "KILL", "d1").ExitCode);
            var tasks = "";
            for (var i = 0; i < 100 && !(tasks = Ctr("task", "ls").Stdout).Contains("STOPPED"); i++)
            {
                Thread.Sleep(50);
            }
            Assert.Contains("STOPPED", tasks);
        }
        finally
        {
            Ctr("task", "delete", "-f", "d1");
            Ctr("container", "delete", "d1");
        }
    }

    public void Dispose()
    {
        _containerd.Kill(entireProcessTree: true);
        _containerd.WaitForExit();
        _containerd.Dispose();
        Shell.Run("/bin/sh", "-c", $"umount -R {_dir}/root {_dir}/state 2>/dev/null; rm -rf {_dir}; rmdir /sys/fs/cgroup/*/{Namespace} 2>/dev/null || true");
    }
}
