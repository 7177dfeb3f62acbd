#!/usr/bin/env bash
# Prints the Markdown tables and goal checks of one `runf serve` benchmark run:
#   bench/serve/report.sh bench/results/STAMP-MODE-serve.json
# Latencies are wrk's percentiles in ms; the goals are judged on the -c1 (pure latency) runs.
set -euo pipefail
file=${1:?usage: report.sh RESULTS.json}

jq -r '
def r(n): (n * 100 | round) / 100;
def ms(us): r(us / 1000);
def goal(ok): if ok then "met" else "NOT met" end;
def runner_name:
  {cold: "runf, cold (`runf serve`)", prewarm: "runf, pre-warmed (`runf serve --prewarm \(.prewarm)`)",
   process: "plain process (`runf-serve-baselines --runner process`)", bwrap: "bwrap per request (`runf-serve-baselines --runner bwrap`)",
   http: "mode=http: busybox httpd in a runf container (`runf serve --mode http`), GET of a static file",
   "http-direct": "busybox httpd as a plain process, called directly (mode=http'"'"'s baseline), same GET"}[.config];
def pace: .pace_ms // 0;
# p50 in ms of CONFIG at CONNECTIONS and PACE, or null if that run is missing
def p50(config; c; p): (.runs[] | select(.config == config and .connections == c and pace == p) | .wrk.latency_us.p50 / 1000) // null;
def p50(config; c): p50(config; c; 0);
# requests/s of CONFIG at CONNECTIONS, unpaced, or null if that run is missing
def rps(config; c): (.runs[] | select(.config == config and .connections == c and pace == 0) | .requests_per_s) // null;
def ratio_rows(c; p):
  p50("prewarm"; c; p) as $pw | p50("process"; c; p) as $pr | p50("cold"; c; p) as $cold | p50("bwrap"; c; p) as $bw
  | p50("http"; c; p) as $http | p50("http-direct"; c; p) as $direct
  | "| pre-warmed p50 − process p50 | \(if $pw and $pr then "\(r($pw - $pr)) ms" else "-" end) |",
    "| cold p50 / bwrap p50 | \(if $cold and $bw then "\(r($cold / $bw))x" else "-" end) |",
    "| mode=http p50 − httpd called directly p50 | \(if $http and $direct then "\(r($http - $direct)) ms" else "-" end) |";
. as $all
| "fprocess `\(.fprocess)` in the busybox rootfs (mode=http: busybox httpd, GET of a 6-byte static file); POST of a small body (bench/serve/post.lua); \(.duration_s) s per wrk run;",
  "\(.cpus) CPUs, kernel \(.kernel), load average \(.loadavg_at_start) at the start, \(.loadavg_at_end) at the end; commit \(.commit).",
  "",
  ( [.runs[] | [.connections, pace]] | unique[] as [$c, $p]
    | ($all.runs | map(select(.connections == $c and pace == $p))) as $runs
    | "### wrk -t\($runs[0].threads) -c\($c)\(if $p > 0 then ", \($p) ms between requests (latency with idle CPU)" elif $c == 1 then " (latency: one request at a time, back to back)" else " (load)" end), ms",
      "",
      "| runner | p50 | p90 | p99 | req/s | failed requests |",
      "|---|---:|---:|---:|---:|---:|",
      ( $runs[] | "| \(runner_name) | **\(ms(.wrk.latency_us.p50))** | \(ms(.wrk.latency_us.p90)) | \(ms(.wrk.latency_us.p99)) | \(r(.requests_per_s)) | \([.wrk.errors[]] | add) |" ),
      "",
      "| ratio | |",
      "|---|---:|",
      ($all | ratio_rows($c; $p)),
      "" ),
  "### Goals (wrk -c1, back to back, unless named; the paced run is in its table above)",
  "",
  "| goal | measured | |",
  "|---|---|---|",
  ( p50("prewarm"; 1) as $pw | p50("process"; 1) as $pr
    | if $pw and $pr then "| pre-warmed p50 within 2 ms of the plain-process baseline | \(r($pw)) − \(r($pr)) = \(r($pw - $pr)) ms | \(goal($pw - $pr <= 2)) |"
      else "| pre-warmed p50 within 2 ms of the plain-process baseline | a run is missing | NOT met |" end ),
  ( p50("cold"; 1) as $cold | p50("bwrap"; 1) as $bw
    | if $cold and $bw then "| cold p50 below bwrap per request | \(r($cold)) vs \(r($bw)) ms (\(r($cold / $bw))x) | \(goal($cold < $bw)) |"
      else "| cold p50 below bwrap per request | a run is missing | NOT met |" end ),
  ( p50("http"; 1) as $http | p50("http-direct"; 1) as $direct
    | if $http and $direct then "| mode=http adds at most 0.5 ms p50 over its server called directly | \(r($http)) − \(r($direct)) = \(r($http - $direct)) ms | \(goal($http - $direct <= 0.5)) |"
      else "| mode=http adds at most 0.5 ms p50 over its server called directly | a run is missing | NOT met |" end ),
  ( rps("cold"; 4) as $cold | rps("process"; 4) as $pr
    | if $cold and $pr then "| wrk -c4: cold throughput at least 0.9x the plain-process runner | \(r($cold)) vs \(r($pr)) req/s (\(r($cold / $pr))x) | \(goal($cold >= 0.9 * $pr)) |"
      else "| wrk -c4: cold throughput at least 0.9x the plain-process runner | a run is missing | NOT met |" end )
' "$file"
