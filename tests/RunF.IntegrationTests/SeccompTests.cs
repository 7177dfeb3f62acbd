using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>
/// The default seccomp filter, seen from inside a container run by the unprivileged user. A
/// static probe (Helpers/seccomp-probe.c, built here with gcc -static) makes the system calls
/// busybox has no tool for and prints NAME=ERRNO.
/// </summary>
[Collection(RunfCollection.Name)]
public class SeccompTests(TestEnvironment env)
{
    private static readonly object BuildLock = new();
    private static string? _probeRootfs;

    private string ProbeRootfs()
    {
        lock (BuildLock)
        {
            if (_probeRootfs is null || !Directory.Exists(_probeRootfs))
            {
                var rootfs = env.CopyRootfs("seccomp");
                var source = Path.Combine(AppContext.BaseDirectory, "Helpers", "seccomp-probe.c");
                Shell.Run("gcc", "-static", "-O2", "-pthread", "-o", Path.Combine(rootfs, "bin", "seccomp-probe"), source);
                _probeRootfs = rootfs;
            }
            return _probeRootfs;
        }
    }

    private Dictionary<string, string> Probe(string[] runfOptions, params string[] probes)
    {
        var r = Runf.Run(env, [.. runfOptions, "--rootfs", ProbeRootfs(), "seccomp-probe", .. probes]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
    }

    [Fact]
    public void Namespaces_cannot_be_created_or_joined()
    {
        var r = Runf.Run(env, "sh", "-c", "unshare -U true; echo user=$?; unshare -m true; echo mnt=$?");
        Assert.Contains("user=1", r.Stdout);
        Assert.Contains("mnt=1", r.Stdout);
        Assert.Contains("unshare(0x10000000): Operation not permitted", r.Stderr);
        Assert.Contains("unshare(0x20000): Operation not permitted", r.Stderr);
        var p = Probe([], "unshare_user", "clone_newuser", "setns", "unshare_files", "clone3");
        Assert.Equal("EPERM", p["unshare_user"]);
        Assert.Equal("EPERM", p["clone_newuser"]);
        Assert.Equal("EPERM", p["setns"]);
        Assert.Equal("0", p["unshare_files"]);   // unshare without a namespace flag is harmless
        Assert.Equal("ENOSYS", p["clone3"]);     // so that libc falls back to clone
    }

    [Fact]
    public void Unconfined_lets_a_nested_user_namespace_be_created()
    {
        var r = Runf.Run(env, "--seccomp", "unconfined", "sh", "-c", "unshare -U true && echo nested; grep Seccomp: /proc/self/status");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("nested", r.Stdout);
        Assert.Contains("Seccomp:\t0", r.Stdout);
    }

    [Fact]
    public void Kernel_attack_surface_fails_with_eperm()
    {
        string[] names = ["keyctl", "add_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "ptrace", "mount", "personality_odd"];
        var p = Probe([], names);
        Assert.All(names, n => Assert.Equal($"{n}=EPERM", $"{n}={p[n]}"));
        Assert.Equal("0", Probe([], "personality_query")["personality_query"]);
        // Without the filter the same calls succeed: the filter, not the kernel, denied them.
        var unconfined = Probe(["--seccomp", "unconfined"], "keyctl", "userfaultfd", "io_uring_setup");
        Assert.All(unconfined, kv => Assert.Equal($"{kv.Key}=0", $"{kv.Key}={kv.Value}"));
    }

    [Fact]
    public void Every_argument_filter_reads_the_low_32_bits_as_the_kernel_does()
    {
        string[] names = ["vsock", "vsock_high", "inet_high", "personality_odd_high", "personality_query_high",
            "unshare_user_high", "clone_newuser_high", "tiocsti_high"];
        var p = Probe([], names);
        Assert.Equal("EPERM", p["vsock"]);
        Assert.Equal("EPERM", p["vsock_high"]);              // AF_VSOCK with the upper half set
        Assert.Equal("0", p["inet_high"]);                   // the kernel reads AF_INET: allowed
        Assert.Equal("EPERM", p["personality_odd_high"]);
        Assert.Equal("0", p["personality_query_high"]);      // the kernel reads the query: allowed
        Assert.Equal("EPERM", p["unshare_user_high"]);
        Assert.Equal("EPERM", p["clone_newuser_high"]);
        Assert.Equal("EPERM", p["tiocsti_high"]);
        // The kernel opens the vsock without the filter: the filter, not the kernel, denied it.
        Assert.Equal("0", Probe(["--seccomp", "unconfined"], "vsock_high")["vsock_high"]);
    }

    /// <summary>
    /// Podman's own profile (Debian's golang-github-containers-common, which test.sh installs) in
    /// its own format: archMap, errno names, and rules that apply only with a capability.
    /// </summary>
    [Fact]
    public void Podmans_profile_loads_runs_a_function_and_decides_its_rules_by_the_containers_capabilities()
    {
        const string profile = "/usr/share/containers/seccomp.json";
        Assert.True(File.Exists(profile), $"{profile} is missing: apt-get install golang-github-containers-common (test.sh does)");
        var r = Runf.Run(env, "--seccomp", profile, "sh", "-c", "echo ran; grep Seccomp: /proc/self/status");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ran\nSeccomp:\t2\n", r.Stdout);
        // mount is allowed by a rule that includes CAP_SYS_ADMIN: refused without it (the profile
        // says EPERM for mount otherwise), made with it (the container's own mount namespace).
        Assert.Equal("EPERM", Probe(["--seccomp", profile], "mount")["mount"]);
        Assert.Equal("0", Probe(["--seccomp", profile, "--cap-add", "SYS_ADMIN"], "mount")["mount"]);
    }

    [Fact]
    public void Mounting_anything_fails()
    {
        var r = Runf.Run(env, "sh", "-c", "mount -t tmpfs none /tmp; echo tmpfs=$?; mount -t proc proc /mnt; echo proc=$?; umount /proc; echo umount=$?");
        Assert.Equal(3, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("=0", r.Stdout);
        Assert.Equal("EPERM", Probe([], "mount")["mount"]);
    }

    [Fact]
    public void Terminal_injection_ioctls_fail_even_with_high_bits_set()
    {
        var p = Probe([], "tiocsti", "tiocsti_high", "tioclinux", "tiocgwinsz");
        Assert.Equal("EPERM", p["tiocsti"]);
        Assert.Equal("EPERM", p["tiocsti_high"]);
        Assert.Equal("EPERM", p["tioclinux"]);
        Assert.Equal("0", p["tiocgwinsz"]);
    }

    [Fact]
    public void X32_syscalls_kill_the_process_on_x86_64()
    {
        if (RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return; // x32 exists on x86_64 only; the aarch64 filter has no second ABI to reject
        }
        var r = Runf.Run(env, "--rootfs", ProbeRootfs(), "seccomp-probe", "x32_getpid");
        Assert.Equal(128 + 31, r.ExitCode); // SIGSYS
    }

    [Fact]
    public void A_normal_workload_runs()
    {
        var p = Probe([], "threads_epoll");
        Assert.Equal("0", p["threads_epoll"]);
        var r = Runf.Run(env, "sh", "-c", "ls / >/dev/null && echo ls-ok; echo hi > /tmp/f && cat /tmp/f; date >/dev/null && echo date-ok");
        Assert.Equal("ls-ok\nhi\ndate-ok\n", r.Stdout);
    }

    [Fact]
    public void Busybox_httpd_serves_and_wget_fetches_inside()
    {
        var port = FreePort();
        var r = Runf.Run(env, "sh", "-c",
            $"mkdir /tmp/www && echo served > /tmp/www/index.html && httpd -p 127.0.0.1:{port} -h /tmp/www && " +
            $"timeout 10 wget -qO- http://127.0.0.1:{port}/index.html");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("served\n", r.Stdout);
    }

    [Fact]
    public void A_custom_profile_denying_mkdir_leaves_touch_working()
    {
        var dir = env.NewDir("profile");
        var profile = Path.Combine(dir, "no-mkdir.json");
        File.WriteAllText(profile, """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ]
            }
            """);
        File.SetUnixFileMode(profile, (UnixFileMode)0x1a4);
        var r = Runf.Run(env, "--seccomp", profile, "sh", "-c", "mkdir /tmp/x; echo mkdir=$?; touch /tmp/y; echo touch=$?");
        Assert.Contains("mkdir=1", r.Stdout);
        Assert.Contains("touch=0", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stderr);
    }

    [Fact]
    public void A_malformed_profile_is_one_clear_line_and_nothing_starts()
    {
        var dir = env.NewDir("bad-profile");
        var profile = Path.Combine(dir, "x.json");
        File.WriteAllText(profile, """
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
              {"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["write"], "action": "SCMP_ACT_ALLOW"},
              {"names": ["exit"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mkdir"], "action": "SCMP_ACT_FOO"}]}
            """);
        File.SetUnixFileMode(profile, (UnixFileMode)0x1a4);
        var marker = Path.Combine(dir, "started");
        var r = Runf.Run(env, "--seccomp", profile, "--bind", $"{dir}:/out:rw", "sh", "-c", "touch /out/started");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal($"runf: seccomp profile {profile}: syscalls[3].action: unknown action \"SCMP_ACT_FOO\"\n", r.Stderr);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Dry_run_shows_the_rules()
    {
        var r = Runf.Run(env, "--dry-run", "true");
        Assert.Contains("install seccomp filter", r.Stdout);
        Assert.Contains("default profile, ", r.Stdout);
        Assert.Contains("allow clone if arg0 & 0x7e020000 == 0x0", r.Stdout);
        Assert.Contains("errno ENOSYS clone3", r.Stdout);
        Assert.DoesNotContain("install seccomp filter", Runf.Run(env, "--dry-run", "--seccomp", "unconfined", "true").Stdout);
    }

    [Fact]
    public void A_nested_runf_says_to_start_the_outer_container_unconfined()
    {
        // The outer rootfs holds runf, the host's shared libraries it links (glibc, libseccomp)
        // and an inner rootfs: an executor image in miniature.
        var rootfs = env.CopyRootfs("nested");
        Shell.Run("cp", env.Runf, Path.Combine(rootfs, "bin", "runf"));
        Shell.Run("cp", "-a", env.Rootfs, Path.Combine(rootfs, "inner"));
        string[] libs = ["/lib", "/lib64", "/usr/lib"];
        var binds = libs.Where(Directory.Exists).SelectMany(dir =>
        {
            Directory.CreateDirectory(rootfs + dir);
            return new[] { "--bind", $"{dir}:{dir}" };
        });
        var r = Runf.Run(env, [.. binds, "--rootfs", rootfs, "sh", "-c", "cd / && runf --rootfs /inner true"], null);
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("cannot create user namespace: Operation not permitted: this runf runs under a seccomp filter", r.Stderr);
        Assert.Contains("start the outer container with --seccomp unconfined", r.Stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
