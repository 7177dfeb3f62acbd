#!/usr/bin/env bash
# RunF's benchmark suite, one session: cold start, throughput and supervisor memory of runf vs
# runc, crun, bubblewrap and a bare unshare (with /bin/true and an empty NativeAOT program as the
# floors under them), all as the same unprivileged user; then the `runf serve`
# benchmark (bench/serve/run.sh) and the rootfs extraction benchmark (bench/extract/run.sh).
#   bench/run.sh            full run (about 2 minutes), prints the Markdown tables
#   bench/run.sh --smoke    a few runs each (well under a minute); non-zero if a runtime fails
# Raw results: bench/results/STAMP-{coldstart,throughput,rss,meta}.json (meta: versions, run counts;
# coldstart: every round's times merged, and each round's hyperfine file as coldstart-N.json).
# As root it installs what is missing (apt-get), builds out/runf and out/rootfs if absent, and
# measures as uid/gid $BENCH_UID (default 40000) in a world-readable temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  *) echo "usage: bench/run.sh [--smoke]" >&2; exit 2 ;;
esac
bench_uid=${BENCH_UID:-40000}

if [ "$(id -u)" = 0 ]; then
  # A fresh machine lacks the runtimes compared against; install only what is missing.
  missing=()
  for pkg in runc crun bubblewrap hyperfine jq umoci skopeo util-linux mmdebstrap zstd curl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
for tool in runc crun bwrap hyperfine jq unshare; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (run as root to install it)" >&2; exit 1; }
done
[ -x out/runf ] && [ -d out/rootfs ] || ./build.sh rootfs

# The checkout's parents may be unreadable by the bench user: work on copies in /tmp.
work=$(mktemp -d /tmp/runf-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cp -a out/runf out/rootfs "$work/"
# The .NET floor: a NativeAOT program that does nothing, built with runf's start-up settings,
# once (a NativeAOT compile takes about 10 s) and again only when its sources change.
if ! [ out/dotnet-empty -nt bench/floor/Program.cs ] || ! [ out/dotnet-empty -nt bench/floor/Floor.csproj ]; then
  dotnet publish bench/floor -c Release -o out/floor --nologo -v quiet
  install -m 0755 out/floor/dotnet-empty out/dotnet-empty
fi
cp -a out/dotnet-empty "$work/"
cp -r bench/lib "$work/lib"
if [ "$(id -u)" = 0 ]; then
  chown -R "$bench_uid:$bench_uid" "$work/lib"
  chown "$bench_uid:$bench_uid" "$work"
  as_user=(setpriv --reuid="$bench_uid" --regid="$bench_uid" --clear-groups env -u XDG_RUNTIME_DIR)
else
  as_user=()
fi

"${as_user[@]}" "$work/lib/measure.sh" "$work" "$mode"

stamp=$(date -u +%Y%m%dT%H%M%SZ)-$mode
for kind in coldstart throughput rss; do
  cp "$work/results/$kind.json" "bench/results/$stamp-$kind.json"
done
for round in "$work"/results/coldstart-*.json; do
  cp "$round" "bench/results/$stamp-$(basename "$round")"
done
jq --arg mode "$mode" --arg kernel "$(uname -r)" --arg cpus "$(nproc)" \
  --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg runc "$(runc --version | head -1)" --arg crun "$(crun --version | head -1)" \
  --arg bwrap "$(bwrap --version)" --arg hyperfine "$(hyperfine --version)" \
  '. + {mode: $mode, kernel: $kernel, cpus: $cpus, commit: $commit, runc: $runc, crun: $crun, bwrap: $bwrap, hyperfine: $hyperfine}' \
  "$work/results/params.json" > "bench/results/$stamp-meta.json"

bench/lib/report.sh "bench/results/$stamp"

# The `runf serve` agent benchmark (bench/serve/) is another suite: latency and req/s under wrk.
if [ -x bench/serve/run.sh ]; then
  bench/serve/run.sh ${1:+"$1"}
fi
# So is the rootfs extraction benchmark (bench/extract/), which takes no --smoke (its argument is
# a runf binary): one run per tool instead.
if [ -x bench/extract/run.sh ]; then
  if [ "$mode" = smoke ]; then RUNS=1 bench/extract/run.sh; else bench/extract/run.sh; fi
fi
# Its second part, a real image: the Debian image of the tests (built once per machine).
if [ -x bench/extract/debian.sh ]; then
  if [ "$mode" = smoke ]; then RUNS=1 bench/extract/debian.sh; else bench/extract/debian.sh; fi
fi
