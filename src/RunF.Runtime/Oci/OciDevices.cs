using RunF.Runtime.IO;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Oci;

/// <summary>
/// Device nodes: runf binds the host's (mknod is impossible in a user namespace, and a bind of
/// the host's node is the same device): the defaults a runtime owes a /dev tmpfs, and a config's
/// linux.devices when the host has that device at that path.
/// </summary>
public static class OciDevices
{
    /// <summary>null, zero, full, random, urandom, tty and the /dev/fd, stdio and ptmx links, as runc makes them.</summary>
    public static void AddDefaults(List<SetupOp> ops)
    {
        foreach (var device in ContainerDefaults.Devices)
        {
            ops.Add(Ops.EnsureFile($"/dev/{device}"));
            ops.Add(Ops.BindFromHost($"/dev/{device}", $"/dev/{device}", OpFlags.NoSymlinks));
        }
        foreach (var (name, target) in ContainerDefaults.DeviceLinks)
        {
            ops.Add(Ops.Symlink($"/dev/{name}", target));
        }
    }

    public static void Add(List<SetupOp> ops, IReadOnlyList<OciDevice>? devices)
    {
        for (var i = 0; i < (devices?.Count ?? 0); i++)
        {
            var device = devices![i];
            var where = $"linux.devices[{i}]";
            var path = OciPlanBuilder.ContainerPath(device.Path ?? "", where + ".path");
            var kind = device.Type switch
            {
                "c" or "u" => "char",
                "b" => "block",
                _ => throw OciPlanBuilder.Invalid(where + ".type", $"\"{device.Type}\" is not supported by runf: it binds character and block devices (c, u, b)"),
            };
            if (!path.StartsWith("/dev/", StringComparison.Ordinal) || HostName(kind, device.Major, device.Minor) != path[5..])
            {
                throw OciPlanBuilder.Invalid(where, $"{path} ({device.Type} {device.Major}:{device.Minor}) is not this host's device at that path: runf binds host devices, it does not mknod them");
            }
            if (ContainerDefaults.Devices.Contains(path[5..]) && ops.Any(op => op is MountOp m && m.Target == path))
            {
                continue;
            }
            OciMounts.EnsurePath(ops, path, isDirectory: false);
            ops.Add(Ops.BindFromHost(path, path, OpFlags.NoSymlinks));
        }
    }

    /// <summary>The name under /dev the kernel gives device major:minor (sysfs's uevent DEVNAME), or null.</summary>
    private static string? HostName(string kind, long major, long minor)
    {
        var uevent = SmallFiles.ReadText($"/sys/dev/{kind}/{major}:{minor}/uevent");
        foreach (var line in (uevent ?? "").Split('\n'))
        {
            if (line.StartsWith("DEVNAME=", StringComparison.Ordinal))
            {
                return line[8..];
            }
        }
        return null;
    }
}
