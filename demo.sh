#!/usr/bin/env bash
# Runs a command with out/runf in out/rootfs as an unprivileged user, the way RunF is meant to run.
# As root it copies both to a world-readable temporary directory and drops to uid 40000 with
# setpriv (the checkout itself may not be readable by other users).
#   ./demo.sh [COMMAND [ARG...]]      (default: echo hello)
set -euo pipefail
cd "$(dirname "$0")"
[ -x out/runf ] && [ -d out/rootfs ] || { echo "demo.sh: run ./build.sh rootfs first" >&2; exit 1; }
[ $# -gt 0 ] || set -- echo hello

if [ "$(id -u)" = 0 ]; then
  dir=$(mktemp -d /tmp/runf-demo.XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  chmod 755 "$dir"
  cp -a out/runf out/rootfs "$dir/"
  cd "$dir"
  setpriv --reuid=40000 --regid=40000 --clear-groups env -u XDG_RUNTIME_DIR ./runf --rootfs rootfs "$@"
else
  exec out/runf --rootfs out/rootfs "$@"
fi
