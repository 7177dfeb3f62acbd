using RunF.Runtime.IO;

namespace RunF.Runtime.Oci;

/// <summary>
/// What this runtime supports, in runtime-spec's features format (`runf features`), and the
/// config `runf spec` writes: runc's default (a busybox-style rootfs in ./rootfs), or with
/// rootless a user namespace mapping the caller's ids and no network namespace of its own.
/// </summary>
public static class OciFeatures
{
    public static byte[] Json() => JsonText.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("ociVersionMin", "1.0.0");
        json.WriteString("ociVersionMax", OciRecord.OciVersion);
        json.WriteStrings("hooks", ["prestart", "createRuntime", "poststart", "poststop"]);
        json.WriteStrings("mountOptions", ["async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand", "noatime", "nodev", "nodiratime",
            "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "private", "rbind", "relatime", "ro", "rprivate", "rshared", "rslave",
            "runbindable", "rw", "shared", "slave", "strictatime", "suid", "sync", "tmpcopyup", "unbindable"]);
        json.WriteStartObject("linux");
        json.WriteStrings("namespaces", ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"]);
        json.WriteStrings("capabilities", Enumerable.Range(0, Runtime.Spec.Capabilities.LastKnown + 1).Select(Runtime.Spec.Capabilities.NameOf));
        json.WriteStartObject("cgroup");
        json.WriteBoolean("v1", true);
        json.WriteBoolean("v2", true);
        json.WriteBoolean("systemd", false);
        json.WriteBoolean("systemdUser", false);
        json.WriteEndObject();
        json.WriteStartObject("seccomp");
        json.WriteBoolean("enabled", true);
        json.WriteStrings("actions", ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE"]);
        json.WriteStrings("operators", ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"]);
        json.WriteEndObject();
        json.WriteStartObject("apparmor");
        json.WriteBoolean("enabled", false);
        json.WriteEndObject();
        json.WriteStartObject("selinux");
        json.WriteBoolean("enabled", false);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }, indented: true);

    public static string Spec(bool rootless, uint uid, uint gid)
    {
        var ns = rootless
            ? """[{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "user"}]"""
            : """[{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]""";
        var sys = rootless
            ? """{"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]}"""
            : """{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}""";
        var maps = rootless
            ? $$"""
                "uidMappings": [{"containerID": 0, "hostID": {{uid}}, "size": 1}],
                "gidMappings": [{"containerID": 0, "hostID": {{gid}}, "size": 1}],
            """
            : "";
        return $$"""
            {
              "ociVersion": "{{OciRecord.OciVersion}}",
              "process": {
                "terminal": true,
                "user": {"uid": 0, "gid": 0},
                "args": ["sh"],
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                "cwd": "/",
                "capabilities": {
                  "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
                },
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                "noNewPrivileges": true
              },
              "root": {"path": "rootfs", "readonly": true},
              "hostname": "runf",
              "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
                {{sys}}
              ],
              "linux": {
            {{maps}}    "namespaces": {{ns}},
                "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                  "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
                "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
              }
            }

            """;
    }
}
