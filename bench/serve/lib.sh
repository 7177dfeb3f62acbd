# Shared by bench/serve/run.sh and bench/serve/openwhisk.sh, sourced from the checkout's top
# once $bench (the name their messages start with) is set. make_work sets $work; $server holds
# the pid of the agent being measured, if any.
server=""
work=""
failed=0
bench_uid=${SERVE_BENCH_UID:-40001}
out=${RUNF_OUT:-out}

# The one argument both take, after the script's name for the usage line: none (10 s per wrk
# run) or --smoke (2 s per wrk run). Sets $mode and $duration.
parse_args() {
  local script=$1
  shift
  case "${1:-}" in
    "") mode=full duration=10 ;;
    --smoke) mode=smoke duration=2 ;;
    *) echo "usage: $script [--smoke]" >&2; exit 2 ;;
  esac
}

# out/ must hold runf, runf-serve, runf-serve-baselines and the busybox rootfs (built if missing).
require_out() {
  if [ ! -x "$out/runf" ] || [ ! -x "$out/runf-serve" ] || [ ! -x "$out/runf-serve-baselines" ] || [ ! -d "$out/rootfs/action" ]; then
    [ "$out" = out ] || { echo "$bench: $out lacks runf, runf-serve, runf-serve-baselines or rootfs (with its /action)" >&2; exit 1; }
    ./build.sh rootfs
  fi
}

# The checkout's parents may be unreadable by the bench user: work on copies in a world-readable
# /tmp/runf-bench-NAME.* ($work) of out/'s binaries and rootfs and the given files. As root, the
# agents run as $bench_uid (as_user), which owns $work; agent_uid is the uid they run as.
make_work() {
  local name=$1
  shift
  work=$(mktemp -d "/tmp/runf-bench-$name.XXXXXX")
  chmod 755 "$work"
  cp -a "$out/runf" "$out/runf-serve" "$out/runf-serve-baselines" "$out/rootfs" "$@" "$work/"
  if [ "$(id -u)" = 0 ]; then
    chown "$bench_uid:$bench_uid" "$work"
    as_user=(setpriv --reuid="$bench_uid" --regid="$bench_uid" --clear-groups env -u XDG_RUNTIME_DIR HOME="$work")
    agent_uid=$bench_uid
  else
    as_user=()
    agent_uid=$(id -u)
  fi
}

fail() {
  echo "$bench: $*" >&2
  failed=1
}

# Kills the agent left running, if any, and removes the work directory: the EXIT trap.
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A port nothing listens on, from $1 upwards in steps of 10 (port+1 serves the metrics).
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; do
    p=$((p + 10))
  done
  echo "$p"
}

# measure_wrk CONFIG THREADS CONNECTIONS SCRIPT URL: runs wrk for $duration seconds with the lua
# SCRIPT (which prints a WRK_JSON line) and records the run in $work/runs.json; fails the
# configuration if wrk failed, printed no result, or requests failed.
measure_wrk() {
  local config=$1 t=$2 c=$3 script=$4 url=$5 raw result errors
  raw=$work/$config-c$c.txt
  if ! wrk -t"$t" -c"$c" -d"${duration}s" --timeout 10s --latency -s "$script" "$url" >"$raw" 2>&1; then
    fail "$config -c$c: wrk failed"
    cat "$raw" >&2
    return
  fi
  result=$(sed -n 's/^WRK_JSON //p' "$raw")
  [ -n "$result" ] || { fail "$config -c$c: wrk printed no result"; cat "$raw" >&2; return; }
  errors=$(jq '[.errors[]] | add' <<<"$result")
  [ "$errors" = 0 ] || fail "$config -c$c: $errors failed requests: $(jq -c .errors <<<"$result")"
  jq --arg config "$config" --argjson threads "$t" --argjson connections "$c" --argjson wrk "$result" \
    '. + [{config: $config, threads: $threads, connections: $connections, wrk: $wrk, requests_per_s: ($wrk.requests / ($wrk.duration_us / 1e6))}]' \
    "$work/runs.json" >"$work/runs.tmp" && mv "$work/runs.tmp" "$work/runs.json"
}

# SIGTERM to the agent ($server) of $config; SIGKILL after 15 s, which fails the configuration.
stop_server() {
  kill -TERM "$server" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$server" 2>/dev/null; then
    fail "$config: still running 15 s after SIGTERM, killed"
    kill -KILL "$server" 2>/dev/null || true
  fi
  wait "$server" 2>/dev/null || true
  server=""
}

# report_runs NAME LOADAVG_AT_START: $work/runs.json with the machine's facts into
# bench/results/STAMP-MODE-NAME.json, then the table; non-zero if a configuration failed.
report_runs() {
  local name=$1 load_start=$2 results
  mkdir -p bench/results
  results=bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$mode-$name.json
  jq --arg mode "$mode" --arg kernel "$(uname -r)" --arg cpus "$(nproc)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" --arg load_start "$load_start" --argjson duration "$duration" \
    '{mode: $mode, kernel: $kernel, cpus: $cpus, loadavg_at_start: $load_start, loadavg_at_end: $load, commit: $commit, duration_s: $duration, runs: .}' \
    "$work/runs.json" >"$results"
  echo "$bench: raw results in $results" >&2
  jq -r '
  def ms(us): (us / 10 | round) / 100;
  "\(.duration_s) s per wrk run; \(.cpus) CPUs, kernel \(.kernel), load average \(.loadavg_at_start) at the start, \(.loadavg_at_end) at the end; commit \(.commit).",
  "",
  "| configuration | wrk | p50 ms | p90 ms | p99 ms | req/s | failed |",
  "|---|---|---:|---:|---:|---:|---:|",
  (.runs[] | "| \(.config) | -t\(.threads) -c\(.connections) | **\(ms(.wrk.latency_us.p50))** | \(ms(.wrk.latency_us.p90)) | \(ms(.wrk.latency_us.p99)) | \((.requests_per_s * 10 | round) / 10) | \([.wrk.errors[]] | add) |")
  ' "$results"
  [ "$failed" = 0 ] || { echo "$bench: some configurations failed (see above)" >&2; return 1; }
}
