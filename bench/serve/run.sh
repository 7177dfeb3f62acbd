#!/usr/bin/env bash
# The `runf serve` benchmark: the HTTP agent with fprocess `cat` in the busybox rootfs, under wrk,
# in six configurations, one at a time, each on its own port:
#   cold        runf serve                                a new function container per request
#   prewarm     runf serve --prewarm N                    N containers set up ahead, waiting just before exec
#   process     runf-serve-baselines --runner process     plain fork/exec per request, no container (baseline)
#   bwrap       runf-serve-baselines --runner bwrap       bubblewrap per request
#   http        runf serve --mode http                    busybox httpd in one function container, each
#                                                         request proxied to it
#   http-direct the same busybox httpd as a plain process, called directly (mode=http's baseline)
# mode=http and its baseline must echo a body through a CGI `cat`, and are then measured with GETs
# of a small static file: what the proxy adds, without a shell forked per request.
# The baselines are the same agent with another invoker (bench/RunF.Serve.Baselines): runf-serve
# itself runs only runf containers.
# Each gets wrk -t1 -c1 (latency, back to back), wrk -t1 -c1 with 20 ms between requests (latency
# with idle CPU, where pre-warming can prepare the next container off the request's path) and
# wrk -t2 -c4 (load), with a small POST body (post.lua).
#   bench/serve/run.sh            10 s per wrk run (about 2 minutes)
#   bench/serve/run.sh --smoke    2 s per wrk run; non-zero if a configuration fails
# Raw results: bench/results/STAMP-MODE-serve.json; the tables: bench/serve/report.sh FILE.
# As root it installs what is missing (apt-get), builds out/ if needed, and runs the agent as uid/gid
# $SERVE_BENCH_UID (default 40001: a uid of its own, so that "no process of that uid is left"
# means the agent left nothing) from a world-readable temporary directory; wrk runs as the caller.
# RUNF_OUT=DIR measures the runf, runf-serve, runf-serve-baselines and rootfs in DIR instead of out/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=bench/serve
source bench/serve/lib.sh
parse_args bench/serve/run.sh "$@"
threads=2 connections=4 prewarm=8 # prewarm: twice the load's concurrency
pace_ms=20

if [ "$(id -u)" = 0 ]; then
  missing=()
  for pkg in wrk bubblewrap curl jq util-linux procps; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
for tool in wrk bwrap curl jq pgrep; do
  command -v "$tool" >/dev/null || { echo "bench/serve: $tool is missing (run as root to install it)" >&2; exit 1; }
done
require_out
make_work serve bench/serve/post.lua
# mode=http's site: the CGI script that echoes the body, as `cat` does in the other configurations.
mkdir -p "$work/site/cgi-bin"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nexec cat\n' >"$work/site/cgi-bin/echo.cgi"
echo hello >"$work/site/index.html"
chmod -R a+rX "$work/site"
chmod 755 "$work/site/cgi-bin/echo.cgi"

# Waits up to $2 seconds for a condition (a command) to hold.
wait_for() {
  local tries=$(($2 * 10)) i
  for ((i = 0; i < tries; i++)); do
    if eval "$1"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# The agent's processes and containers must all be gone once it has stopped: no process of the
# bench uid (as root: that uid is the benchmark's alone), no `cat` or runf of the caller otherwise,
# and no container in runf's state directory.
leftovers() {
  if [ "$(id -u)" = 0 ]; then
    pgrep -u "$agent_uid" -a || true
  else
    pgrep -u "$agent_uid" -a -x cat || true
    pgrep -u "$agent_uid" -a -x httpd || true
    pgrep -u "$agent_uid" -a -f "$work/runf" || true
    pgrep -u "$agent_uid" -a -f "$work/rootfs/bin/busybox" || true
  fi
  local ps
  if ! ps=$("${as_user[@]}" "$work/runf" ps --format json 2>&1) || ! jq -r '.[] | "container \(.id // .)"' <<<"$ps" 2>/dev/null; then
    echo "runf ps failed: $ps"
  fi
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo '[]' > "$work/runs.json"
port=28070
for config in cold prewarm process bwrap http http-direct; do
  port=$(free_port $((port + 10)))
  upstream=$(free_port $((port + 5)))
  url=http://127.0.0.1:$port
  path=/ ready=/_/ready get=
  function=(--fprocess cat)
  case $config in
    cold) runner=runf agent=("$work/runf" serve) extra=() ;;
    prewarm) runner=runf agent=("$work/runf" serve) extra=(--prewarm "$prewarm") ;;
    process) runner=process agent=("$work/runf-serve-baselines" --runner process) extra=() ;;
    bwrap) runner=bwrap agent=("$work/runf-serve-baselines" --runner bwrap) extra=() ;;
    http)
      runner=runf agent=("$work/runf" serve) path=/cgi-bin/echo.cgi get=/index.html
      extra=(--mode http --upstream-url "http://127.0.0.1:$upstream" --bind "$work/site:/mnt")
      function=(-- httpd -f -p "127.0.0.1:$upstream" -h /mnt) ;;
    http-direct) runner=direct path=/cgi-bin/echo.cgi ready=/index.html get=/index.html ;;
  esac
  log=$work/$config.log
  if [ "$config" = http-direct ]; then
    # The same busybox as the rootfs', as a plain process of the bench user: no agent, no container.
    echo "bench/serve: $config: busybox httpd on port $port" >&2
    "${as_user[@]}" "$work/rootfs/bin/busybox" httpd -f -p "127.0.0.1:$port" -h "$work/site" </dev/null >"$log" 2>&1 &
  else
    echo "bench/serve: $config: $(basename "${agent[0]}") ${agent[*]:1}${extra[*]:+ ${extra[*]}} ${function[*]} on port $port" >&2
    "${as_user[@]}" "${agent[@]}" --rootfs "$work/rootfs" "${extra[@]}" \
      --port "$port" --metrics-port $((port + 1)) --lock-file "$work/$config.lock" \
      --read-timeout 10s --write-timeout 10s --exec-timeout 10s --healthcheck-interval 1s "${function[@]}" \
      </dev/null >"$log" 2>&1 &
  fi
  server=$!

  # Ready, or gave up: 30 s, or the agent exited.
  wait_for "! kill -0 $server 2>/dev/null || curl -fs -o /dev/null --max-time 1 $url$ready" 30 || true
  if ! kill -0 "$server" 2>/dev/null; then
    fail "$config: the agent exited at start-up:"
    tail -20 "$log" >&2
  elif ! curl -fs -o /dev/null --max-time 1 "$url$ready"; then
    fail "$config: not ready after 30 s"
    tail -20 "$log" >&2
  else
    # The function must really echo the body before its speed means anything.
    reply=$(curl -fsS --max-time 10 --data-binary 'ping from bench' "$url$path" 2>&1) || true
    if [ "$reply" != 'ping from bench' ]; then
      fail "$config: POST $path answered '$reply', not the body"
      tail -20 "$log" >&2
    else
      for load in "1 1 0" "1 1 $pace_ms" "$threads $connections 0"; do
        read -r t c pace <<<"$load"
        raw=$work/$config-c$c-p$pace.txt
        if ! WRK_PACE_MS=$pace WRK_GET=$get wrk -t"$t" -c"$c" -d"${duration}s" --timeout 10s --latency -s "$work/post.lua" "$url${get:-$path}" >"$raw" 2>&1; then
          fail "$config -c$c: wrk failed"
          cat "$raw" >&2
          continue
        fi
        result=$(sed -n 's/^WRK_JSON //p' "$raw")
        [ -n "$result" ] || { fail "$config -c$c: wrk printed no result"; cat "$raw" >&2; continue; }
        errors=$(jq '[.errors[]] | add' <<<"$result")
        [ "$errors" = 0 ] || fail "$config -c$c: $errors failed requests: $(jq -c .errors <<<"$result")"
        jq --arg config "$config" --arg runner "$runner" --argjson prewarm "$([ "$config" = prewarm ] && echo "$prewarm" || echo 0)" \
          --argjson threads "$t" --argjson connections "$c" --argjson pace "$pace" --argjson wrk "$result" \
          '. + [{config: $config, runner: $runner, prewarm: $prewarm, threads: $threads, connections: $connections, pace_ms: $pace,
                 wrk: $wrk, requests_per_s: ($wrk.requests / ($wrk.duration_us / 1e6))}]' \
          "$work/runs.json" >"$work/runs.tmp" && mv "$work/runs.tmp" "$work/runs.json"
      done
    fi
  fi

  # SIGTERM: the agent stops taking requests, drains, and exits; SIGKILL after 15 s is a failure.
  kill -TERM "$server" 2>/dev/null || true
  if ! wait_for "! kill -0 $server 2>/dev/null" 15; then
    fail "$config: still running 15 s after SIGTERM, killed"
    kill -KILL "$server" 2>/dev/null || true
  fi
  wait "$server" 2>/dev/null || true
  server=""
  if ! wait_for '[ -z "$(leftovers)" ]' 5; then
    fail "$config: left behind after the agent exited:"
    leftovers >&2
    # As root the uid is the benchmark's alone: end what it left, by pid, before the next one.
    if [ "$(id -u)" = 0 ]; then
      for pid in $(pgrep -u "$agent_uid"); do kill -KILL "$pid" 2>/dev/null || true; done
    fi
  fi
done

mkdir -p bench/results
results=bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$mode-serve.json
jq --arg mode "$mode" --arg kernel "$(uname -r)" --arg cpus "$(nproc)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg wrk "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)" --arg bwrap "$(bwrap --version)" \
  --argjson duration "$duration" --argjson prewarm "$prewarm" --arg load_start "$load_start" \
  '{mode: $mode, kernel: $kernel, cpus: $cpus, loadavg_at_start: $load_start, loadavg_at_end: $load, commit: $commit, wrk: $wrk, bwrap: $bwrap,
    duration_s: $duration, prewarm: $prewarm, fprocess: "cat", runs: .}' \
  "$work/runs.json" >"$results"
echo "bench/serve: raw results in $results" >&2
bench/serve/report.sh "$results"
[ "$failed" = 0 ] || { echo "bench/serve: some configurations failed (see above)" >&2; exit 1; }
