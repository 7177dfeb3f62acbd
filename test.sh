#!/usr/bin/env bash
# Runs RunF's whole test suite on a fresh Debian machine: installs what the tests need, builds
# the runf binary and the busybox test rootfs, then runs every unit and integration test, then
# the benchmark suite and the fuzz targets in smoke mode. Arguments go to dotnet test (e.g.
# --filter) and skip the benchmark and the fuzzing.
# Integration tests run runf as an unprivileged user (setpriv) when this script runs as root.
set -euo pipefail
cd "$(dirname "$0")"

packages=(busybox-static util-linux uidmap umoci skopeo zstd jq python3 python3-yaml iproute2 nginx-light dnsmasq-base curl
  golang-github-containers-common mmdebstrap
  podman containerd # the OCI runtime tests (tests/RunF.IntegrationTests/Oci)
  runc crun bubblewrap hyperfine wrk procps # the benchmark's smoke mode
  afl++ # the fuzz targets' smoke (tests/RunF.Fuzz)
  nodejs # the Node.js function image (rootfs-tools/make-node-image.sh)
  autoconf automake libtool cmake make g++) # aws-lambda-ric's install builds curl and aws-lambda-cpp (mode=lambda's tests)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# npm too, unless the installed nodejs brings its own (NodeSource's does, and conflicts with Debian's npm).
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test.sh: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

./build.sh rootfs
# The Debian image of the extraction tests, built once per machine and cached
# (rootfs-tools/make-debian-image.sh). Its tests are skipped only when it is not cached and the
# Debian mirror cannot be reached: the script's line saying so is printed here.
debian=0
rootfs-tools/make-debian-image.sh >/dev/null || debian=$?
case $debian in
  0) ;;
  77) echo "test.sh: the Debian image tests will be skipped" >&2 ;;
  *) echo "test.sh: building the Debian image failed (exit $debian)" >&2; exit "$debian" ;;
esac
dotnet test RunF.sln --nologo -v quiet -p:TreatWarningsAsErrors=true "$@"
# The whole suite (no dotnet test arguments) ends with the benchmark suite in smoke mode (a few
# runs, figures not checked): it fails if runc, crun, bwrap or runf cannot run a container in the
# read-only rootfs, or if the serve or extraction suite fails.
# Then every fuzz target for a few seconds (tests/RunF.Fuzz/README.md): it fails if the harness
# no longer builds, instruments or runs, or if a target finds something in its seed corpus.
if [ $# -eq 0 ]; then
  bench/run.sh --smoke
  tests/RunF.Fuzz/fuzz.sh --smoke
fi
