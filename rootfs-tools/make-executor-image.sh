#!/usr/bin/env bash
# Builds the executor image of the runf book (its Dockerfile: runf, a function rootfs and curl)
# with real tools, umoci and skopeo, as a `docker save`-format archive:
#   rootfs-tools/make-executor-image.sh RUNF FUNCTION_ROOTFS OUT.tar [NAME:TAG]
# The image holds /usr/bin/runf and /usr/bin/curl with the shared libraries they need (copied
# from this host, as the Dockerfile's debian base would provide them, libseccomp included),
# busybox as /bin/sh, and
# the function's rootfs at /function/rootfs. Its entrypoint is `runf --rootfs /function/rootfs`,
# so `docker run IMAGE wget -qO- http://nginx/` runs the function, as the book's wrapper-runf did.
set -euo pipefail
runf=${1:?usage: make-executor-image.sh RUNF FUNCTION_ROOTFS OUT.tar [NAME:TAG]}
function_rootfs=${2:?usage: make-executor-image.sh RUNF FUNCTION_ROOTFS OUT.tar [NAME:TAG]}
out=${3:?usage: make-executor-image.sh RUNF FUNCTION_ROOTFS OUT.tar [NAME:TAG]}
name=${4:-runf-executor:latest}
for tool in umoci skopeo curl; do
  command -v "$tool" >/dev/null || { echo "make-executor-image: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umoci init --layout "$work/oci"
umoci new --image "$work/oci:executor"
umoci unpack --rootless --image "$work/oci:executor" "$work/bundle" >/dev/null
root=$work/bundle/rootfs

# A program and every shared library ldd names, at the same paths as on this host.
add_program() {
  install -D -m 0755 "$1" "$root$2"
  ldd "$1" | grep -oE '/[^ ]+' | while read -r lib; do
    [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}
add_program "$runf" /usr/bin/runf
add_program "$(command -v curl)" /usr/bin/curl
# runf loads libseccomp (Debian's libseccomp2, in every debian base image) to compile its filter.
libseccomp=$(ldconfig -p | grep -oE '/[^ ]*libseccomp\.so\.2$' | head -1)
[ -n "$libseccomp" ] || { echo "make-executor-image: libseccomp.so.2 not found (apt-get install libseccomp2)" >&2; exit 1; }
install -D -m 0644 "$(readlink -f "$libseccomp")" "$root$libseccomp"
install -D -m 0755 /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
mkdir -p "$root/function" "$root"/{proc,dev,sys,tmp,etc,root}
chmod 1777 "$root/tmp"
: > "$root/etc/resolv.conf"
: > "$root/etc/hosts"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
cp -a "$function_rootfs" "$root/function/rootfs"

umoci repack --image "$work/oci:executor" "$work/bundle" >/dev/null
umoci config --image "$work/oci:executor" \
  --config.entrypoint /usr/bin/runf --config.entrypoint --rootfs --config.entrypoint /function/rootfs \
  --config.cmd echo --config.cmd "hello from a function" --config.workingdir / \
  --config.label org.opencontainers.image.title=runf-executor
rm -f "$out"
skopeo copy --quiet "oci:$work/oci:executor" "docker-archive:$out:$name"
echo "executor image $name in $out" >&2
