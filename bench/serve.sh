#!/usr/bin/env bash
# runf serve throughput by runner: the same HTTP front and function (tr a-z A-Z on a small POST)
# with runf containers (cold, and prewarmed) and the process and bwrap baselines (docs/serve.md).
#   bench/serve.sh [SECONDS] [CONNECTIONS]     default 5 s per runner, 8 connections
# Needs out/runf, out/runf-serve, out/rootfs (./build.sh rootfs) and wrk. As root it measures as
# uid $BENCH_UID (default 40000) from a world-readable temporary directory, as bench/run.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
connections=${2:-8}
bench_uid=${BENCH_UID:-40000}
command -v wrk >/dev/null || { echo "bench/serve.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }

dir=$(mktemp -d /tmp/runf-serve-bench-XXXXXX)
chmod 0777 "$dir"
cp -a out/runf out/runf-serve "$dir"/
cp -a out/rootfs "$dir"/rootfs
printf 'wrk.method = "POST"\nwrk.body = "hello function"\n' > "$dir"/post.lua
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

as_user=()
if [ "$(id -u)" = 0 ]; then
  as_user=(setpriv --reuid="$bench_uid" --regid="$bench_uid" --clear-groups --)
fi

echo "| runner | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
for runner in "runf" "runf --prewarm 4" "process" "bwrap"; do
  # setpriv and runf exec: the subshell's pid becomes runf-serve's. The runner's words are separate arguments.
  # shellcheck disable=SC2086
  (cd "$dir" && echo "$BASHPID" >"$dir"/pid && exec "${as_user[@]}" ./runf serve --runner $runner --rootfs rootfs \
    --port 18480 --metrics-port 18481 --lock-file "$dir"/lock --healthcheck-interval 0 --fprocess 'tr a-z A-Z' \
    2>"$dir/log-${runner// /_}") &
  for _ in $(seq 100); do [ -s "$dir"/pid ] && break; sleep 0.01; done
  server=$(cat "$dir"/pid)
  rm "$dir"/pid
  for _ in $(seq 100); do curl -sf localhost:18480/_/ready >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf localhost:18480/_/ready >/dev/null || { cat "$dir/log-${runner// /_}" >&2; exit 1; }
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$dir"/post.lua http://127.0.0.1:18480/)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "| $runner | $rps | $p50 | $p99 |"
  kill -TERM "$server"
  while kill -0 "$server" 2>/dev/null; do sleep 0.05; done
  server=""
done
