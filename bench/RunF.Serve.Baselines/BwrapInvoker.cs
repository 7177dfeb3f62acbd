using RunF.Runtime.Spec;
using RunF.Serve.Configuration;

namespace RunF.Serve.Baselines;

/// <summary>
/// Benchmark baseline (runf-serve-baselines --runner bwrap): one bubblewrap sandbox per request, with the namespaces
/// and mounts of a runf container (user, PID, IPC, UTS; the rootfs read-only, fresh /proc, a
/// /dev, a /tmp tmpfs, the executor's DNS files; root inside; a new session). Unlike runf it
/// has no cgroup limits and no seccomp filter.
/// </summary>
public sealed class BwrapInvoker(string rootfs, IReadOnlyList<string> command, InstalledAction? action) : ChildProcessInvoker
{
    private readonly string[] _argv =
    [
        "bwrap",
        "--unshare-user", "--uid", "0", "--gid", "0",
        "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "function",
        "--ro-bind", Path.GetFullPath(rootfs), "/",
        "--proc", "/proc",
        "--dev", "/dev",
        "--tmpfs", "/tmp",
        "--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf",
        "--ro-bind-try", "/etc/hosts", "/etc/hosts",
        .. action?.HostDirectory is { } code ? (string[])["--ro-bind", code, InstalledAction.MountPoint, "--chdir", InstalledAction.MountPoint] : [],
        "--die-with-parent", "--new-session",
        "--",
        .. action?.HostDirectory is null ? command : [InstalledAction.Executable],
    ];

    protected override IReadOnlyList<string> Argv => _argv;

    protected override void PrepareEnvironment(IDictionary<string, string?> environment)
    {
        // The environment of a runf container, not the executor's.
        environment.Clear();
        environment["PATH"] = ContainerDefaults.Path;
        environment["HOME"] = "/root";
        environment["TERM"] = "xterm";
        AddPairs(environment, action?.Env ?? []);
    }
}
