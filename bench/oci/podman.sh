#!/usr/bin/env bash
# `podman run --rm` with runf, runc and crun as podman's OCI runtime, in one hyperfine session
# (as root, the rootfs copied to a temporary directory):
#   bench/oci/podman.sh [RUNS]      (default 30 runs each)
# crun is tried as well; on a hybrid cgroup v1 host it refuses ("cgroups in hybrid mode not
# supported", MACHINE-NOTES) and is then left out with a line saying so.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-30}
[ "$(id -u)" = 0 ] || { echo "podman.sh: run as root" >&2; exit 1; }
for tool in podman runc hyperfine; do command -v "$tool" >/dev/null || { echo "podman.sh: $tool is missing" >&2; exit 1; }; done
[ -x out/runf ] && [ -d out/rootfs ] || ./build.sh rootfs
work=$(mktemp -d /tmp/runf-bench-podman.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a out/runf out/rootfs "$work/"
opts="--cgroup-manager cgroupfs --events-backend file"
run="run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs $work/rootfs true"
commands=()
for runtime in "$work/runf" "$(command -v runc)" "$(command -v crun || true)"; do
  [ -n "$runtime" ] || continue
  if podman --runtime "$runtime" $opts $run >/dev/null 2>"$work/err"; then
    commands+=("podman --runtime $runtime $opts $run")
  else
    echo "podman.sh: $(basename "$runtime") left out: $(tail -1 "$work/err")" >&2
  fi
done
hyperfine -N --style basic --warmup 3 --runs "$runs" --export-json "$work/podman.json" "${commands[@]}" >&2
jq -r '.results[] | "| \(.command | split(" ")[2] | split("/")[-1]) | \(.median * 1000 | floor) | \(.min * 1000 | floor) | \(.max * 1000 | floor) |"' "$work/podman.json"
