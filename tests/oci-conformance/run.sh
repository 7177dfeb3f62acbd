#!/usr/bin/env bash
# The OCI runtime conformance suite (opencontainers/runtime-tools validation/) against runf and
# runc in one run; not part of test.sh (docs/oci.md has the figures and the failures explained).
#   tests/oci-conformance/run.sh CHECKOUT [RUNF]
# CHECKOUT: a runtime-tools checkout at 260e151 (the last commit whose vendored tree builds with
# Debian 12's Go 1.19 offline); it is copied to a temporary directory and built there, never in
# this repository. Needs root and golang-go; RUNTIMES="A B" replaces runc and runf. Prints per runtime the TAP lines passed and failed,
# and writes every test's TAP output under $OUT (default /tmp/runf-oci-conformance).
set -euo pipefail
checkout=${1:?usage: run.sh RUNTIME_TOOLS_CHECKOUT [RUNF]}
runf=$(realpath "${2:-$(dirname "$0")/../../out/runf}")
out=${OUT:-/tmp/runf-oci-conformance}
[ "$(id -u)" = 0 ] || { echo "run.sh: the suite runs runtimes as root" >&2; exit 1; }
command -v go >/dev/null || { echo "run.sh: go is missing (apt-get install golang-go)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/src"
if git -C "$checkout" rev-parse -q --verify '260e151^{commit}' >/dev/null 2>&1; then
  git -C "$checkout" archive 260e151 | tar -x -C "$out/src"
else
  cp -a "$checkout"/. "$out/src/"
fi
cd "$out/src"
sed -i 's/^go 1\.[0-9]*$/go 1.19/' go.mod
GOFLAGS=-mod=vendor GOPROXY=off make runtimetest validation-executables >"$out/build.log" 2>&1 || { echo "run.sh: build failed, see $out/build.log" >&2; exit 1; }
for runtime in ${RUNTIMES:-$(command -v runc) $runf}; do
  name=$(basename "$runtime")
  mkdir -p "$out/$name"
  for t in validation/*/*.t; do
    test=$(basename "$t" .t)
    RUNTIME=$runtime timeout 120 "$t" >"$out/$name/$test.tap" 2>&1 || true
  done
  pass=$(cat "$out/$name"/*.tap | grep -c '^ok' || true)
  fail=$(cat "$out/$name"/*.tap | grep -c '^not ok' || true)
  echo "$name: $pass passed, $fail failed (TAP lines; $out/$name/TEST.tap)"
done
