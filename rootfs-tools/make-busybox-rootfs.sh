#!/usr/bin/env bash
# Builds a minimal busybox root filesystem from Debian's busybox-static (installed if missing):
#   rootfs-tools/make-busybox-rootfs.sh DIR
# Every applet is a symlink to /bin/busybox, as in the busybox image. The directory is written
# beside DIR and renamed into place, so a failed build leaves nothing half-made.
set -euo pipefail
out=${1:?usage: make-busybox-rootfs.sh DIR}

if [ ! -x /bin/busybox ] || ! /bin/busybox --help 2>&1 | head -1 | grep -q 'BusyBox'; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
  else
    echo "make-busybox-rootfs: busybox-static is not installed: run 'apt-get install busybox-static' as root" >&2
    exit 1
  fi
fi
# busybox-static must be static: the rootfs has no libc.
if ldd /bin/busybox >/dev/null 2>&1; then
  echo "make-busybox-rootfs: /bin/busybox is dynamically linked: install busybox-static" >&2
  exit 1
fi

tmp=$(mktemp -d "$(dirname "$out")/.rootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# action: the mount point of an OpenWhisk action's code (runf serve --mode openwhisk binds it there).
mkdir -p "$tmp"/{bin,dev,etc,proc,sys,tmp,root,home,mnt,run,var,usr/bin,usr/sbin,sbin,action}
cp /bin/busybox "$tmp/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$tmp/etc/group"
# Mount points for the executor's resolver files: the rootfs is read-only at run time.
: > "$tmp/etc/resolv.conf"
: > "$tmp/etc/hosts"
chmod 1777 "$tmp/tmp"
chmod 0755 "$tmp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "busybox rootfs in $out" >&2
