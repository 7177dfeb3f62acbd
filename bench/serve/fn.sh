#!/usr/bin/env bash
# mode=fn under wrk: a trivial handler of Fn's Node.js FDK (@fnproject/fdk; it returns its input)
# in a Node.js image (rootfs-tools/make-node-image.sh, extracted by runf), called at
# /invoke/function back to back (wrk -t1 -c1: latency) and under load (wrk -t2 -c4), next to the
# plain-process runner, in these configurations, one at a time:
#   fn              runf serve --mode fn                        one hot container: calls one at a time
#   fn-prewarm4     runf serve --mode fn --prewarm 4            four hot containers side by side
#   process-cat     runf-serve-baselines --runner process       `cat` forked per request, no container
#   process-node    runf-serve-baselines --runner process       node forked per request (the same
#                                                                runtime, cold each time), no container
#   bench/serve/fn.sh            10 s per wrk run
#   bench/serve/fn.sh --smoke    2 s per wrk run; non-zero if a configuration fails
# Raw results: bench/results/STAMP-MODE-fn.json, then the table. As root the agents run as uid/gid
# $SERVE_BENCH_UID (default 40001) from a world-readable temporary directory. The image needs the
# npm registry once (then it is cached); exit 77 when it is not cached and cannot be built.
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=bench/serve/fn
source bench/serve/lib.sh
parse_args bench/serve/fn.sh "$@"
for tool in wrk curl jq node; do
  command -v "$tool" >/dev/null || { echo "$bench: $tool is missing" >&2; exit 1; }
done
require_out
make_work fn bench/serve/post.lua
status=0
image=$(rootfs-tools/make-node-image.sh @fnproject/fdk) || status=$?
case $status in
  0) ;;
  77) echo "$bench: skipped: the Node.js image cannot be built here" >&2; exit 77 ;;
  *) echo "$bench: building the Node.js image failed (exit $status)" >&2; exit 1 ;;
esac
"${as_user[@]}" "$work/runf" rootfs extract "$image/node.oci.tar" -o "$work/node" >/dev/null
printf '%s\n' "const fdk = require('@fnproject/fdk');" "fdk.handle((input) => input);" >"$work/func.js"
install -m 0644 "$work/func.js" "$work/node/function/func.js"

body=$(sed -n 's/^wrk.body = "\(.*\)\\n"$/\1/p' bench/serve/post.lua)
# One call must come back as the handler's answer: the body, as a JSON string from the FDK.
call() {
  local answer
  answer=$(curl -sS --max-time 10 -H 'Content-Type: text/plain' --data-binary "$body" "$1" 2>&1) || { echo "$answer"; return 1; }
  [ "$answer" = "\"$body\"" ] || [ "$answer" = "$body" ] || { echo "$answer"; return 1; }
}

echo '[]' >"$work/runs.json"
port=28370
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for config in fn fn-prewarm4 process-cat process-node; do
  port=$(free_port $((port + 10)))
  common=(--port "$port" --metrics-port $((port + 1)) --lock-file "$work/$config.lock" --healthcheck-interval 0 --exec-timeout 10s)
  url=http://127.0.0.1:$port/invoke/function
  case $config in
    fn) cmd=("$work/runf" serve --mode fn --rootfs "$work/node" "${common[@]}" -- node func.js) ;;
    fn-prewarm4) cmd=("$work/runf" serve --mode fn --prewarm 4 --rootfs "$work/node" "${common[@]}" -- node func.js) ;;
    process-cat) cmd=("$work/runf-serve-baselines" --runner process --rootfs "$work/rootfs" "${common[@]}" -- cat) url=http://127.0.0.1:$port/ ;;
    process-node) cmd=("$work/runf-serve-baselines" --runner process --rootfs "$work/rootfs" "${common[@]}" -- node -e "process.stdin.pipe(process.stdout)") url=http://127.0.0.1:$port/ ;;
  esac
  log=$work/$config.log
  echo "$bench: $config on port $port" >&2
  "${as_user[@]}" "${cmd[@]}" </dev/null >"$log" 2>&1 &
  server=$!
  ready=0
  for _ in $(seq 300); do
    kill -0 "$server" 2>/dev/null || break
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/_/ready" || true)" = 200 ] && { ready=1; break; }
    sleep 0.1
  done
  if [ $ready = 0 ]; then
    fail "$config: not ready after 30 s"
    tail -20 "$log" >&2
  elif ! answer=$(call "$url"); then
    fail "$config: a call answered '$answer', not the body"
    tail -20 "$log" >&2
  else
    for load in "1 1" "2 4"; do
      read -r t c <<<"$load"
      measure_wrk "$config" "$t" "$c" "$work/post.lua" "$url"
    done
  fi
  stop_server
done
report_runs fn "$load_start"
