#!/usr/bin/env bash
# OpenWhisk's /run under wrk: the same echo action (a busybox sh script that returns its
# parameters) installed by /init, then activations back to back (wrk -t1 -c1: latency) and under
# load (wrk -t2 -c4), in these configurations, one at a time:
#   openwhisk        runf serve --mode openwhisk                   a fresh container per activation
#   openwhisk-pw     runf serve --mode openwhisk --prewarm 8       containers set up ahead
#   process          runf-serve-baselines --runner process --mode openwhisk   a plain process per activation
#   actionproxy      OpenWhisk's actionproxy.py (dockerskeleton), a plain process per activation
#   openwhisk-loop   runf serve --mode openwhisk-loop              one long-lived action in one container
#   goproxy          OpenWhisk's Go actionloop proxy, one long-lived action as a plain process
#                    (-c1 only: it mixes up concurrent activations)
# actionproxy and goproxy are the real programs, measured when given (else skipped):
#   OW_ACTIONPROXY=DIR   openwhisk-runtime-docker's core/actionProxy, run with Debian's
#                        /usr/bin/python3 and python3-flask, python3-gevent (its ActionRunner is
#                        pointed at a directory of the benchmark's instead of /action)
#   OW_GO_PROXY=FILE     the proxy binary built from openwhisk-runtime-go (it listens on 8080,
#                        which must be free)
#   bench/serve/openwhisk.sh            10 s per wrk run
#   bench/serve/openwhisk.sh --smoke    2 s per wrk run; non-zero if a configuration fails
# Raw results: bench/results/STAMP-MODE-openwhisk.json, then the table. As root the agents run as
# uid/gid $SERVE_BENCH_UID (default 40001) from a world-readable temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=bench/serve/openwhisk
source bench/serve/lib.sh
parse_args bench/serve/openwhisk.sh "$@"
for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "$bench: $tool is missing" >&2; exit 1; }
done
require_out
make_work openwhisk bench/serve/post.lua bench/serve/openwhisk.lua
# The actions: busybox sh, which both the rootfs and this host have at /bin/busybox.
printf '#!/bin/busybox sh\nprintf %s "$1"\n' "'{\"echo\":%s}\\n'" > "$work/echo"
printf '#!/bin/busybox sh\nwhile read -r line; do printf %s "$line" >&3; done\n' "'{\"echo\":%s}\\n'" > "$work/loop"
chmod 644 "$work/echo" "$work/loop"
# The real proxies' working directories; actionproxy.py writes the code over an executable it
# expects there (the image's stub).
"${as_user[@]}" mkdir "$work/actionproxy" "$work/goproxy"
"${as_user[@]}" install -m 0755 /dev/null "$work/actionproxy/exec"

wait_ready() {
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$server" 2>/dev/null || return 1
    # Any HTTP answer means it listens (the proxies have no readiness endpoint).
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1/ping" || true)" != 000 ] && return 0
    sleep 0.1
  done
  return 1
}

# /init with the action's code as text; actionproxy.py answers OK, the others {"ok":true}.
init() {
  local answer
  answer=$(jq -n --rawfile code "$2" '{value: {code: $code, binary: false, main: "main"}}' | curl -sS --max-time 30 -d @- "$1/init" 2>&1) || { echo "$answer"; return 1; }
  [ "$answer" = OK ] || jq -e '.ok == true' <<<"$answer" >/dev/null 2>&1 || { echo "$answer"; return 1; }
}

# One activation must come back as the echo of its value (the loop action echoes the whole line).
run_body=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" bench/serve/openwhisk.lua)
run() {
  local answer
  answer=$(curl -sS --max-time 10 -d "$run_body" "$1/run" 2>&1) || { echo "$answer"; return 1; }
  [ "$(jq -cS '.echo.value // .echo' <<<"$answer" 2>/dev/null)" = '{"n":1,"name":"wrk"}' ] || { echo "$answer"; return 1; }
}

echo '[]' > "$work/runs.json"
port=28170
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for config in openwhisk openwhisk-pw process actionproxy openwhisk-loop goproxy; do
  port=$(free_port $((port + 10)))
  action=$work/echo
  common=(--rootfs "$work/rootfs" --port "$port" --metrics-port $((port + 1)) --lock-file "$work/$config.lock"
    --healthcheck-interval 0 --exec-timeout 10s)
  case $config in
    openwhisk) cmd=("$work/runf" serve --mode openwhisk "${common[@]}") ;;
    openwhisk-pw) cmd=("$work/runf" serve --mode openwhisk --prewarm 8 "${common[@]}") ;;
    process) cmd=("$work/runf-serve-baselines" --runner process --mode openwhisk "${common[@]}") ;;
    openwhisk-loop) cmd=("$work/runf" serve --mode openwhisk-loop "${common[@]}") action=$work/loop ;;
    actionproxy)
      if [ -z "${OW_ACTIONPROXY:-}" ] || ! /usr/bin/python3 -c 'import flask, gevent' 2>/dev/null; then
        echo "bench/serve/openwhisk: actionproxy skipped (set OW_ACTIONPROXY; needs python3-flask, python3-gevent)" >&2
        continue
      fi
      cmd=(env -C "$OW_ACTIONPROXY" FLASK_PROXY_PORT="$port" /usr/bin/python3 -c
        "import actionproxy as p; p.setRunner(p.ActionRunner('$work/actionproxy/exec', '$work/actionproxy/exec')); p.main()") ;;
    goproxy)
      if [ -z "${OW_GO_PROXY:-}" ]; then
        echo "bench/serve/openwhisk: goproxy skipped (set OW_GO_PROXY)" >&2
        continue
      fi
      if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
        fail "goproxy: port 8080 is taken, and the Go proxy listens only there"
        continue
      fi
      port=8080 cmd=(env -C "$work/goproxy" "$OW_GO_PROXY") action=$work/loop ;;
  esac
  url=http://127.0.0.1:$port
  log=$work/$config.log
  echo "bench/serve/openwhisk: $config on port $port" >&2
  "${as_user[@]}" "${cmd[@]}" </dev/null >"$log" 2>&1 &
  server=$!
  if ! wait_ready "$url"; then
    fail "$config: not listening after 30 s"
    tail -20 "$log" >&2
  elif ! answer=$(init "$url" "$action"); then
    fail "$config: /init answered '$answer'"
    tail -20 "$log" >&2
  elif ! answer=$(run "$url"); then
    fail "$config: /run answered '$answer', not the echo"
    tail -20 "$log" >&2
  else
    # The Go proxy writes concurrent activations to its action at once, and their lines and
    # results mix: only one at a time is a run of it (as OpenWhisk sends them by default).
    loads=("1 1" "2 4")
    [ "$config" != goproxy ] || loads=("1 1")
    for load in "${loads[@]}"; do
      read -r t c <<<"$load"
      measure_wrk "$config" "$t" "$c" "$work/openwhisk.lua" "$url"
    done
  fi
  stop_server
done

report_runs openwhisk "$load_start"
