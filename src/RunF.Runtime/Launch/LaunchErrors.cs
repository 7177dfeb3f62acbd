using RunF.Runtime.Errors;
using RunF.Runtime.Interop;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>Turns what the launcher reports (a failed step and its errno) into one clear line.</summary>
internal static class LaunchErrors
{
    private const int EPERM = 1, ENOENT = 2, EACCES = 13, ENOTDIR = 20, EINVAL = 22, ENOSPC = 28, ELOOP = 40, EUSERS = 87, ENOEXEC = 8, EISDIR = 21, EROFS = 30;

    public static RunfException CloneFailed(int errno) => errno switch
    {
        EPERM when Seccomp.SeccompStatus.IsFiltered() => new($"cannot create user namespace: {Libc.Describe(errno)}: this runf runs under a seccomp filter, as in a RunF or Docker container with its default profile: start the outer container with --seccomp unconfined (docker: --security-opt seccomp=unconfined)"),
        EPERM or EACCES => new($"cannot create user namespace: {Libc.Describe(errno)}: unprivileged user namespaces are disabled or blocked by seccomp (see runf doctor)"),
        ENOSPC or EUSERS => new($"cannot create user namespace: {Libc.Describe(errno)}: the user.max_user_namespaces limit is reached (see runf doctor)"),
        _ => new($"cannot create the container process: {Libc.Describe(errno)} (see runf doctor)"),
    };

    /// <summary>
    /// Since Linux 5.12 mapping root needs CAP_SETFCAP in the parent namespace: an executor that
    /// is itself a container must be given it.
    /// </summary>
    public static RunfException IdMapFailed(string file, int errno) =>
        errno == EPERM && file == "uid_map" && !HasEffectiveCapability(31)
            ? new($"cannot write {file} of the container: {Libc.Describe(errno)}: mapping root needs CAP_SETFCAP, which this executor lacks (start it with --cap-add SETFCAP, in Docker or an outer runf; see runf doctor)")
            : new($"cannot write {file} of the container: {Libc.Describe(errno)} (see runf doctor)");

    private static bool HasEffectiveCapability(int cap)
    {
        var line = (Libc.ReadSmallFile("/proc/self/status") ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line[7..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var mask) && (mask & (1UL << cap)) != 0;
    }

    public static RunfException StepFailed(SetupOp op, int errno, string rootfs)
    {
        if (op.Kind == OpKind.Exec)
        {
            return ExecFailed(op.Lists[0][0], errno, rootfs);
        }
        if (errno == ELOOP && op.Flags.HasFlag(OpFlags.NoSymlinks))
        {
            var path = op.Kind == OpKind.EnsureDir ? $"{op.Strings[0]}/{op.Strings[1]}".Replace("//", "/") : op.Strings[1];
            return new($"rootfs {rootfs}: {path} is a symlink: it must be a plain directory");
        }
        if (op.Kind is OpKind.EnsureDir or OpKind.EnsureFile && errno is ENOENT or ENOTDIR)
        {
            return new($"{op.Description}: its parent is missing in rootfs {rootfs}");
        }
        if (op.Kind is OpKind.EnsureDir or OpKind.EnsureFile && errno is EACCES or EROFS)
        {
            return new($"{op.Description}: {Libc.Describe(errno)}: rootfs {rootfs} lacks it and cannot take it (create it there, or is it a root filesystem?)");
        }
        var line = $"{op.Description}: {Libc.Describe(errno)}";
        if (op.Kind == OpKind.Mount && op.Strings[2] == "proc" && errno is EPERM or EACCES)
        {
            line += ": the executor's /proc has masked or read-only paths (start the executor with --security-opt systempaths=unconfined, in Docker or an outer runf; see runf doctor)";
        }
        else if (errno is EPERM or EACCES or EINVAL)
        {
            line += " (see runf doctor)";
        }
        return new(line);
    }

    private static RunfException ExecFailed(string command, int errno, string rootfs) => errno switch
    {
        ENOENT or ENOTDIR => new(
            command.Contains('/')
                ? $"exec \"{command}\": no such file in rootfs {rootfs}"
                : $"exec \"{command}\": not found in rootfs {rootfs}" + (Directory.Exists(Path.Combine(rootfs, "bin")) ? "" : " (it has no /bin: is it a root filesystem?)"),
            ExitCodes.NotFound),
        EACCES or EPERM or ENOEXEC or EISDIR => new($"exec \"{command}\": {Libc.Describe(errno)}", ExitCodes.CannotExecute),
        _ => new($"exec \"{command}\": {Libc.Describe(errno)}", ExitCodes.CannotExecute),
    };
}
