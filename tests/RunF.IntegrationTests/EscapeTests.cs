using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>Attacks on the container's boundary that must fail.</summary>
[Collection(RunfCollection.Name)]
public class EscapeTests(TestEnvironment env)
{
    [Fact]
    public void Host_files_outside_the_rootfs_are_unreachable()
    {
        var marker = Path.Combine(env.Dir, "host-secret");
        File.WriteAllText(marker, "secret");
        File.SetUnixFileMode(marker, (UnixFileMode)0x1a4);
        var r = Runf.Run(env, "sh", "-c",
            "cat /etc/shadow; cat ../host-secret /../host-secret /proc/1/root/../host-secret /proc/self/cwd/../host-secret; " +
            "ls /proc/1/root/; find / -xdev -name host-secret 2>/dev/null");
        Assert.DoesNotContain("secret", r.Stdout.Replace("host-secret", ""));
        Assert.DoesNotContain(env.Dir, r.Stdout);
    }

    [Fact]
    public void A_descriptor_leaked_by_the_caller_does_not_reach_the_container()
    {
        // bash opens the executor's directory without close-on-exec and execs runf with it.
        var script = $"exec 7<{env.Dir}; exec {env.Runf} sh -c 'ls /proc/1/fd; cat /proc/self/fd/7/host-secret; ls /proc/self/fd/7'";
        var psi = Runf.Unprivileged("/bin/bash", ["-c", script]);
        psi.WorkingDirectory = env.Dir;
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.StartsWith("0\n1\n2\n", stdout);
        Assert.DoesNotContain("rootfs", stdout);
    }

    [Fact]
    public void The_runf_binary_is_unreachable()
    {
        var r = Runf.Run(env, "sh", "-c", "for p in /proc/[0-9]*; do readlink $p/exe; done");
        Assert.Equal(["/bin/busybox", "/memfd:runf-init (deleted)"], r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Order());
    }

    [Fact]
    public void Mounting_anything_fails()
    {
        var r = Runf.Run(env, "sh", "-c", "mount -t tmpfs none /mnt; mount -t proc proc /tmp; umount /proc/keys; mount -o remount,rw /");
        Assert.DoesNotContain("proc on /tmp", Runf.Run(env, "cat", "/proc/mounts").Stdout);
        Assert.Equal(4, r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Capabilities_beyond_the_three_are_gone()
    {
        var r = Runf.Run(env, "sh", "-c", "chown 1:1 /tmp; echo chown=$?; hostname other; echo hostname=$?; hostname");
        Assert.Contains("chown=1", r.Stdout);
        Assert.Contains("hostname=1", r.Stdout);
        Assert.DoesNotContain("other", r.Stdout);
    }
}
