using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Oci;

/// <summary>podman --runtime runf, as root and rootless: what podman's users do, checked by podman itself.</summary>
[Collection(RunfCollection.Name)]
public class PodmanTests(TestEnvironment env)
{
    public static readonly TheoryData<bool> RootAndRootless = new() { false, true };

    [Theory]
    [MemberData(nameof(RootAndRootless))]
    public void Run_passes_the_exit_code_the_environment_and_a_read_only_root(bool rootless)
    {
        var podman = new Podman(env, rootless);
        var r = podman.RunRm(["-e", "GREETING=hello", "--read-only"], "sh", "-c", "echo $GREETING; touch /x 2>/dev/null || echo root-ro; touch /tmp/y && echo tmp-rw; id -u; exit 3");
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hello\nroot-ro\ntmp-rw\n0\n", r.Stdout);
    }

    [Theory]
    [MemberData(nameof(RootAndRootless))]
    public void A_tty_is_the_containers_own_terminal(bool rootless)
    {
        var podman = new Podman(env, rootless);
        var r = podman.RunRm(["-t"], "sh", "-c", "tty; test -t 0 && echo stdin-tty");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("/dev/pts/0\r\nstdin-tty\r\n", r.Stdout);
    }

    [Theory]
    [MemberData(nameof(RootAndRootless))]
    public void Exec_stop_kill_and_rm_force_on_a_detached_container(bool rootless)
    {
        var podman = new Podman(env, rootless);
        var name = $"runf-{(rootless ? "rl" : "root")}-{Guid.NewGuid():N}"[..24];
        try
        {
            var started = podman.Run(["run", "-d", "--name", name, .. Podman.Options, "--rootfs", podman.Rootfs, "sh", "-c", "trap 'exit 42' TERM; sleep 100 & wait"]);
            Assert.True(started.ExitCode == 0, started.ToString());
            var exec = podman.Run("exec", "-e", "X=in-exec", name, "sh", "-c", "echo $X; ps -o pid,comm | grep -c sleep; exit 6");
            Assert.True(exec.ExitCode == 6, exec.ToString());
            Assert.Equal("in-exec\n1\n", exec.Stdout);
            var stop = podman.Run("stop", "-t", "5", name);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            var inspect = podman.Run("inspect", "--format", "{{.State.ExitCode}}", name);
            Assert.Equal("42", inspect.Stdout.Trim()); // the TERM handler ran: podman stop sent TERM through runf kill
            Assert.Equal(0, podman.Run("start", name).ExitCode);
            var kill = podman.Run("kill", "-s", "KILL", name);
            Assert.True(kill.ExitCode == 0, kill.ToString());
            Assert.Equal(0, podman.Run("wait", name).ExitCode);
            Assert.Equal("137", podman.Run("inspect", "--format", "{{.State.ExitCode}}", name).Stdout.Trim());
            Assert.Equal(0, podman.Run("start", name).ExitCode);
            var rm = podman.Run("rm", "-f", name);
            Assert.True(rm.ExitCode == 0, rm.ToString());
            Assert.NotEqual(0, podman.Run("inspect", name).ExitCode);
        }
        finally
        {
            podman.Run("rm", "-f", name);
        }
    }

    [Fact]
    public void Memory_limits_the_containers_cgroup_as_root()
    {
        var podman = new Podman(env, rootless: false);
        var r = podman.RunRm(["--memory", "64m"], "sh", "-c", "cat /sys/fs/cgroup/memory$(grep :memory: /proc/self/cgroup | cut -d: -f3)/memory.limit_in_bytes");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("67108864\n", r.Stdout);
    }

    [Fact]
    public void A_missing_command_fails_at_create_and_podman_exits_127()
    {
        var podman = new Podman(env, rootless: false);
        var r = podman.RunRm([], "no-such-command");
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("exec: \"no-such-command\": executable file not found in $PATH", r.Stderr);
    }
}
