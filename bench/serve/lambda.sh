#!/usr/bin/env bash
# mode=lambda under wrk: invocations (POST /2015-03-31/functions/function/invocations with a
# small JSON event, lambda.lua) answered with the event, back to back (wrk -t1 -c1: latency) and
# under load (wrk -t2 -c4), in these configurations, one at a time:
#   lambda      runf serve --mode lambda --max-inflight 4 --prewarm 4   four warm runtimes, an
#                                                                        invocation at a time each: a
#                                                                        custom runtime in busybox shell
#                                                                        (two wget per invocation, each a
#                                                                        process and a connection)
#   lambda-node the same with AWS's Node.js runtime interface client (aws-lambda-ric 3.3.0, one
#               kept-alive connection) and `exports.handler = async (event) => event`, in the Node.js
#               image of the tests (rootfs-tools/make-node-image.sh: built if not cached, about 4
#               minutes; skipped when the npm registry cannot be reached)
#   prewarm     runf serve --prewarm 8 --fprocess cat                   a container per invocation
#                                                                        (set up ahead), for reference
#   process     runf-serve-baselines --runner process --fprocess cat    the plain-process runner:
#                                                                        fork/exec per request, no container
#   bench/serve/lambda.sh            10 s per wrk run
#   bench/serve/lambda.sh --smoke    2 s per wrk run; non-zero if a configuration fails
# Raw results: bench/results/STAMP-MODE-lambda.json, then the table. As root the agents run as
# uid/gid $SERVE_BENCH_UID (default 40001) from a world-readable temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=bench/serve/lambda
source bench/serve/lib.sh
parse_args bench/serve/lambda.sh "$@"
for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "$bench: $tool is missing" >&2; exit 1; }
done
require_out
make_work lambda bench/serve/post.lua bench/serve/lambda.lua
# The runtime: the runtime API with busybox wget; the request id parsed by the shell itself.
mkdir "$work/code"
cat >"$work/code/bootstrap" <<'SH'
#!/bin/sh
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
cr=$(printf '\r')
while true; do
  event=$(wget -q -S -O - "$api/invocation/next" 2>/tmp/headers) || exit 1
  while IFS= read -r line; do
    case $line in *[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d:*) id=${line#*: } ;; esac
  done </tmp/headers
  wget -q -O /dev/null --post-data "$event" "$api/invocation/${id%"$cr"}/response"
done
SH
chmod -R a+rX "$work/code"
chmod 755 "$work/code/bootstrap"
invocations=/2015-03-31/functions/function/invocations
# The Node.js image, extracted by runf as the bench user, with the handler in its /function.
configs=(lambda)
if node_image=$(rootfs-tools/make-node-image.sh aws-lambda-ric@3.3.0); then
  "${as_user[@]}" "$work/runf" rootfs extract "$node_image/node.oci.tar" -o "$work/node-rootfs" >/dev/null
  echo 'exports.handler = async (event) => event;' | "${as_user[@]}" tee "$work/node-rootfs/function/index.js" >/dev/null
  configs+=(lambda-node)
else
  [ $? = 77 ] || fail "lambda-node: the Node.js image could not be built"
  echo "$bench: lambda-node skipped (the Node.js image needs the npm registry once)" >&2
fi

echo '[]' > "$work/runs.json"
port=28270
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
event='{"hello":"from bench"}'
for config in "${configs[@]}" prewarm process; do
  port=$(free_port $((port + 10)))
  common=(--rootfs "$work/rootfs" --port "$port" --metrics-port $((port + 1)) --lock-file "$work/$config.lock"
    --healthcheck-interval 0 --exec-timeout 10s)
  path=$invocations
  case $config in
    lambda) cmd=("$work/runf" serve --mode lambda --max-inflight 4 --prewarm 4 --bind "$work/code:/mnt" "${common[@]}" -- /mnt/bootstrap) ;;
    lambda-node)
      cmd=("$work/runf" serve --mode lambda --max-inflight 4 --prewarm 4 "${common[@]}" --rootfs "$work/node-rootfs"
        -- node node_modules/aws-lambda-ric/bin/index.mjs index.handler) ;;
    prewarm) cmd=("$work/runf" serve --prewarm 8 "${common[@]}" --fprocess cat) ;;
    process) cmd=("$work/runf-serve-baselines" --runner process "${common[@]}" --fprocess cat) ;;
  esac
  url=http://127.0.0.1:$port
  log=$work/$config.log
  echo "$bench: $config on port $port" >&2
  "${as_user[@]}" "${cmd[@]}" </dev/null >"$log" 2>&1 &
  server=$!
  for _ in $(seq 300); do
    kill -0 "$server" 2>/dev/null || break
    curl -fs -o /dev/null --max-time 1 "$url/_/ready" && break
    sleep 0.1
  done
  reply=$(curl -fsS --max-time 10 --data-binary "$event" "$url$path" 2>&1) || true
  if [ "$reply" != "$event" ]; then
    fail "$config: POST answered '$reply', not the event"
    tail -20 "$log" >&2
  else
    for load in "1 1" "2 4"; do
      read -r t c <<<"$load"
      measure_wrk "$config" "$t" "$c" "$work/lambda.lua" "$url"
    done
  fi
  stop_server
done
report_runs lambda "$load_start"
