#!/usr/bin/env bash
# Writes an OCI bundle (config.json only; the rootfs is shared, not copied) whose settings match
# runf's defaults, so runc and crun are measured doing the same work as runf:
#   oci-bundle.sh DIR ROOTFS HOST_UID HOST_GID CMD [ARG...]
# HOST_UID/HOST_GID are the ids mapped to root inside: the caller's for runc, 0 for crun (which
# runs inside an `unshare -Urm` wrapper where the caller already is uid 0).
# Base: `runc spec --rootless` (same masked/read-only paths, capabilities, rlimit as runf), plus:
# read-only root, no network namespace, no cgroup mount, tmpfs /tmp, resolv.conf/hosts bound.
set -euo pipefail
dir=${1:?usage: oci-bundle.sh DIR ROOTFS HOST_UID HOST_GID CMD [ARG...]}
rootfs=$2 uid=$3 gid=$4
shift 4
mkdir -p "$dir"
args=$(printf '%s\n' "$@" | jq -R . | jq -s .)

jq -n --arg rootfs "$rootfs" --argjson uid "$uid" --argjson gid "$gid" --argjson args "$args" '
def caps: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
{
  ociVersion: "1.0.2",
  process: {
    terminal: false,
    user: {uid: 0, gid: 0},
    args: $args,
    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    cwd: "/",
    capabilities: {bounding: caps, effective: caps, permitted: caps, ambient: caps},
    rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
    noNewPrivileges: true
  },
  root: {path: $rootfs, readonly: true},
  hostname: "bench",
  mounts: [
    {destination: "/proc", type: "proc", source: "proc"},
    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]},
    {destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]},
    {destination: "/etc/resolv.conf", type: "none", source: "/etc/resolv.conf", options: ["bind", "ro"]},
    {destination: "/etc/hosts", type: "none", source: "/etc/hosts", options: ["bind", "ro"]},
    {destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777", "size=65536k"]}
  ],
  linux: {
    uidMappings: [{containerID: 0, hostID: $uid, size: 1}],
    gidMappings: [{containerID: 0, hostID: $gid, size: 1}],
    namespaces: [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "user"}],
    maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}' > "$dir/config.json"
