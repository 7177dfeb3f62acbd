using System.Diagnostics;

namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// podman (Debian's 4.3) with runf as its OCI runtime (--runtime), as root or as the test user
/// (rootless, through newuidmap and the test user's subordinate ids), on a copy of the test rootfs
/// (--rootfs: podman writes its /run/.containerenv there). On these machines podman needs
/// --network none and explicit nofile and nproc limits (MACHINE-NOTES), which Options holds.
/// </summary>
public sealed class Podman
{
    public static readonly string[] Options = ["--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];

    private readonly TestEnvironment _env;
    private readonly string _home;

    public bool Rootless { get; }
    public string Rootfs { get; }

    public Podman(TestEnvironment env, bool rootless)
    {
        Assert.True(File.Exists("/usr/bin/podman"), "podman is not installed (test.sh installs it: apt-get install podman)");
        _env = env;
        Rootless = rootless;
        Rootfs = env.CopyRootfs(rootless ? "podman-rootless" : "podman-root");
        _home = env.NewDir("podman-home");
        if (rootless)
        {
            _ = TestAccounts.Name; // the test user's passwd entry and subordinate ids
            Shell.Run("chown", "-R", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", Rootfs, _home);
        }
    }

    /// <summary>podman --runtime RUNF ARGS, as root or rootless; stdin is /dev/null unless given.</summary>
    public RunResult Run(params string[] args) => Run(args, timeoutSeconds: 60);

    public RunResult Run(string[] args, int timeoutSeconds)
    {
        string[] argv = ["--runtime", _env.Runf, "--cgroup-manager", "cgroupfs", "--events-backend", "file", .. args];
        var psi = Rootless ? Runf.Unprivileged("/usr/bin/podman", argv) : new ProcessStartInfo("/usr/bin/podman", argv);
        if (Rootless)
        {
            // setpriv keeps root's groups out; podman reads HOME for its storage.
            psi.ArgumentList.Insert(2, "--init-groups");
            psi.ArgumentList.Remove("--clear-groups");
            psi.Environment["HOME"] = _home;
            psi.Environment["XDG_RUNTIME_DIR"] = "";
        }
        psi.WorkingDirectory = _env.Dir;
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var p = Process.Start(psi)!;
        return Runf.Finish(p, "podman " + string.Join(' ', args), timeoutSeconds);
    }

    /// <summary>podman run --rm with the machine's options over the rootfs copy.</summary>
    public RunResult RunRm(string[] runOptions, params string[] command) => Run(["run", "--rm", .. Options, .. runOptions, "--rootfs", Rootfs, .. command]);
}
