using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.IO;
using RunF.Runtime.Plan;
using static RunF.Interop.Errno;

namespace RunF.Runtime.Launch;

/// <summary>
/// Turns what the launcher reports (a failed clone, id map or step, and its errno) into one clear
/// line with the fix. The host facts that decide the fix come through IHostProbe.
/// </summary>
internal static class LaunchErrors
{
    public static RunfException CloneFailed(int errno, IHostProbe host) => errno switch
    {
        EPERM when host.UnderSeccompFilter => new($"cannot create user namespace: {Errno.Describe(errno)}: this runf runs under a seccomp filter, as in a RunF or Docker container with its default profile: start the outer container with --seccomp unconfined (docker: --security-opt seccomp=unconfined)"),
        EPERM or EACCES => new($"cannot create user namespace: {Errno.Describe(errno)}: unprivileged user namespaces are disabled or blocked by seccomp (see runf doctor)"),
        ENOSPC or EUSERS => new($"cannot create user namespace: {Errno.Describe(errno)}: the user.max_user_namespaces limit is reached (see runf doctor)"),
        _ => new($"cannot create the container process: {Errno.Describe(errno)} (see runf doctor)"),
    };

    /// <summary>
    /// Since Linux 5.12 mapping root needs CAP_SETFCAP in the parent namespace: an executor that
    /// is itself a container must be given it.
    /// </summary>
    public static RunfException IdMapFailed(string file, int errno, IHostProbe host) =>
        errno == EPERM && file == "uid_map" && !host.HasCapability(ProcStatus.CapSetfcap)
            ? new($"cannot write {file} of the container: {Errno.Describe(errno)}: mapping root needs CAP_SETFCAP, which this executor lacks (start it with --cap-add SETFCAP, in Docker or an outer runf; see runf doctor)")
            : new($"cannot write {file} of the container: {Errno.Describe(errno)} (see runf doctor)");

    public static SetupStepException StepFailed(SetupOp op, int errno, string rootfs, IHostProbe host)
    {
        var (message, exitCode) = Describe(op, errno, rootfs, host);
        return new SetupStepException(op, errno, message, exitCode);
    }

    private static (string Message, int ExitCode) Describe(SetupOp op, int errno, string rootfs, IHostProbe host)
    {
        if (op is ExecOp exec)
        {
            return ExecFailed(exec, errno, rootfs, host);
        }
        if (errno == ELOOP && op.Flags.HasFlag(OpFlags.NoSymlinks))
        {
            return ($"rootfs {rootfs}: {op.Path} is a symlink: it must be a plain directory", ExitCodes.RunfError);
        }
        if (op is EnsureDirOp or EnsureFileOp && errno is ENOENT or ENOTDIR)
        {
            return ($"{op.Description}: its parent is missing in rootfs {rootfs}", ExitCodes.RunfError);
        }
        if (op is EnsureDirOp or EnsureFileOp && errno is EACCES or EROFS)
        {
            return ($"{op.Description}: {Errno.Describe(errno)}: rootfs {rootfs} lacks it and cannot take it (create it there, or is it a root filesystem?)", ExitCodes.RunfError);
        }
        var line = $"{op.Description}: {Errno.Describe(errno)}";
        if (op is MountOp { FsType: "proc" } && errno is EPERM or EACCES)
        {
            line += ": the executor's /proc has masked or read-only paths (start the executor with --security-opt systempaths=unconfined, in Docker or an outer runf; see runf doctor)";
        }
        else if (op is TerminalOp && errno == ENOTTY)
        {
            line += ": this kernel cannot open a terminal's peer from its master (TIOCGPTPEER needs Linux 4.13): run without -t";
        }
        else if (errno is EPERM or EACCES or EINVAL)
        {
            line += " (see runf doctor)";
        }
        return (line, ExitCodes.RunfError);
    }

    private static (string, int) ExecFailed(ExecOp exec, int errno, string rootfs, IHostProbe host) => (exec.Args[0], errno) switch
    {
        (var command, ENOENT or ENOTDIR) => (
            command.Contains('/')
                ? $"exec \"{command}\": no such file in rootfs {rootfs}"
                : $"exec \"{command}\": not found in rootfs {rootfs}" + (host.KindOf(Path.Combine(rootfs, "bin")) != PathKind.Missing ? "" : " (it has no /bin: is it a root filesystem?)"),
            ExitCodes.NotFound),
        // An image for another architecture: the file says which (read only now, after the failure).
        (var command, ENOEXEC) when ExecutableFormat.Explain(rootfs, exec.Candidates) is { } why => ($"exec \"{command}\": {Errno.Describe(errno)}: {why}", ExitCodes.CannotExecute),
        (var command, _) => ($"exec \"{command}\": {Errno.Describe(errno)}", ExitCodes.CannotExecute),
    };
}
