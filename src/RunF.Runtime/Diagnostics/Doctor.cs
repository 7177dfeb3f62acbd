using RunF.Interop;
using RunF.Runtime.Cgroups;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.IO;
using RunF.Runtime.Launch;
using RunF.Runtime.Plan;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Diagnostics;

/// <summary>One finding of `runf doctor`: whether runf can rely on it, and the fix when not.</summary>
public sealed record Check(string Name, bool Ok, string Detail, bool Required = true);

/// <summary>
/// Checks what runf needs from the executor, each with its fix. The decisive checks are real: a
/// probe container is cloned with runf's namespaces and mounts a fresh /proc, exactly as a run
/// would, so restrictions nobody documented (seccomp, masked /proc, LSMs) show up too.
/// </summary>
public static class Doctor
{
    public static IReadOnlyList<Check> Run(string rootfs, string? cgroupParent = null)
    {
        var checks = new List<Check> { Kernel() };
        checks.AddRange(UserNamespaceSettings());
        checks.AddRange(Probe());
        checks.Add(Landlock());
        checks.Add(Cgroups(cgroupParent));
        checks.Add(Rootfs(rootfs));
        return checks;
    }

    private static Check Kernel()
    {
        var release = (SmallFiles.ReadText("/proc/sys/kernel/osrelease") ?? "").Trim();
        var parts = release.Split('.', '-');
        var ok = parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor) && (major, minor).CompareTo((5, 6)) >= 0;
        return new("kernel", ok, ok ? $"Linux {release}" : $"Linux {release}: runf needs 5.6 or later (openat2)");
    }

    private static IEnumerable<Check> UserNamespaceSettings()
    {
        var max = SmallFiles.ReadText("/proc/sys/user/max_user_namespaces")?.Trim();
        yield return new("user.max_user_namespaces", max is not null && max != "0",
            max == "0" ? "0: user namespaces are disabled: sysctl -w user.max_user_namespaces=15000" : $"{max}");
        if (SmallFiles.ReadText("/proc/sys/kernel/unprivileged_userns_clone")?.Trim() is { } clone)
        {
            yield return new("kernel.unprivileged_userns_clone", clone == "1",
                clone == "1" ? "1" : $"{clone}: unprivileged user namespaces are off: sysctl -w kernel.unprivileged_userns_clone=1");
        }
        if (SmallFiles.ReadText("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")?.Trim() is { } apparmor)
        {
            yield return new("kernel.apparmor_restrict_unprivileged_userns", apparmor == "0",
                apparmor == "0" ? "0" : $"{apparmor}: AppArmor restricts user namespaces: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for runf with 'userns,'");
        }
        yield return new("seccomp", true, SeccompStatus.Mode() == 0 ? "no filter on runf itself" : "runf itself runs under a seccomp filter (fine unless the probe below fails)", Required: false);
    }

    /// <summary>Clones runf's namespaces and mounts a fresh proc, then execs nothing: the exec step failing proves every step before it worked.</summary>
    private static IEnumerable<Check> Probe()
    {
        // The probe's own mount namespace is private: a proc over the executor's /proc there harms nothing.
        var procMount = Ops.MountFs("proc", "/proc", MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec) with { Flags = OpFlags.None };
        var exec = Ops.Exec(["runf-doctor-probe"], [], ["/nonexistent/runf-doctor-probe"]);
        var plan = new SetupPlan(Namespaces.CloneFlags, IdMaps.RootAs(Libc.GetEuid(), Libc.GetEgid()), [Ops.MakeRootPrivate(), procMount, exec]);
        try
        {
            using var process = ContainerLauncher.Start(plan, "/");
            process.WaitForExit();
            return [new("probe", false, "the probe container ran a command that does not exist: report this as a bug")];
        }
        catch (SetupStepException e) when (e.Step == exec)
        {
            return [new("user namespace", true, "a rootless container can be created"), new("proc mount", true, "a fresh /proc can be mounted")];
        }
        catch (SetupStepException e) when (e.Step == procMount)
        {
            return [new("user namespace", true, "a rootless container can be created"),
                new("proc mount", false, e.Message)];
        }
        catch (RunfException e)
        {
            return [new("user namespace", false, e.Message)]; // the clone and id-map errors carry their own fix
        }
    }

    /// <summary>Optional: without it a run still works, with abstract sockets and signals unscoped.</summary>
    private static Check Landlock()
    {
        var abi = Libc.LandlockAbiVersion();
        var (_, leftOut) = LandlockConfinement.For(TcpBindPolicy.None, abi);
        return new("landlock", leftOut.Count == 0, leftOut.Count == 0
            ? $"ABI {abi}: abstract unix sockets and signals are scoped to each container; --net-bind is enforced"
            : $"ABI {abi}: runs work without {string.Join(" and without ", leftOut)}; a kernel with Landlock (lsm=landlock) and, in a container, a seccomp profile that allows the landlock_* calls give it",
            Required: false);
    }

    /// <summary>runf's own cgroup, or the delegation --cgroup-parent names: every hierarchy's directory must be there and writable.</summary>
    private static Check Cgroups(string? parent)
    {
        var (version, parents, unusable) = CgroupSetup.Describe(parent);
        var uid = Libc.GetEuid();
        var name = parent is null ? "cgroups" : $"cgroup parent {parent}";
        return new(name, unusable.Count == 0, unusable.Count == 0
            ? $"{version}; {string.Join(", ", parents)} writable: limits work"
            : parent is null
                ? $"{version}; {string.Join(", ", unusable)} not writable by uid {uid}: runs work, limits (--memory, --pids-limit, --cpus) need a delegated cgroup (chown it, or systemd Delegate=yes) and --cgroup-parent"
                : $"{version}; {string.Join(", ", unusable)} missing or not writable by uid {uid}: as root, mkdir -p and chown -R {uid} each of them",
            Required: parent is not null);
    }

    private static Check Rootfs(string rootfs)
    {
        var real = Libc.RealPath(rootfs);
        if (real is null || !Libc.IsDirectory(real))
        {
            return new("rootfs", false, $"{rootfs} not found: create one with `runf rootfs extract` or pass --rootfs DIR", Required: false);
        }
        var missing = new[] { "proc", "dev", "sys", "tmp" }.Where(d => HostProbe.Shared.KindInRoot(real, "/" + d) == PathKind.Missing).ToList();
        var hasShell = HostProbe.Shared.KindInRoot(real, "/bin") != PathKind.Missing;
        return new("rootfs", missing.Count == 0 && hasShell,
            !hasShell ? $"{real} has no /bin: is it a root filesystem?"
            : missing.Count == 0 ? real
            : $"{real} lacks the mount points /{string.Join(", /", missing)}: create them (mkdir -p {string.Join(' ', missing.Select(d => $"{real}/{d}"))}); runf never writes into a rootfs",
            Required: false);
    }
}
