#!/usr/bin/env bash
# Prints the Markdown tables and the goal checks from one run's raw results:
#   report.sh PREFIX      (reads PREFIX-{coldstart,throughput,rss,meta}.json)
# crun ran inside an unshare+cgroup2 wrapper: its "net" row is its median minus the wrapper's,
# both measured in the same session, and its ratios use that net figure.
set -euo pipefail
prefix=${1:?usage: report.sh PREFIX}

jq -r --slurpfile meta "$prefix-meta.json" --slurpfile tp "$prefix-throughput.json" --slurpfile rss "$prefix-rss.json" '
def r(n): (n * 100 | round) / 100;
def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def by_name: map({key: .command, value: .}) | from_entries;
def ratio(a; b): if b > 0 then "\(r(a / b))x" else "-" end;
def goal(ok): if ok then "met" else "NOT met" end;

(.results | by_name) as $c
| ($c | map_values(.median * 1000)) as $ms
| ($ms.crun - $ms["crun-wrapper"]) as $crun_net
# What any .NET supervisor pays: the runtime start, plus the namespaces and the exec of the command.
| (if $ms["dotnet-empty"] then $ms["dotnet-empty"] + $ms.unshare - $ms.true else null end) as $dotnet_floor
| ($tp[0].results | by_name | map_values(.median)) as $tps
| ($tps.crun - $tps["crun-wrapper"]) as $tp_crun_net
| ($rss[0] | map({key: .name, value: (.kib | med / 1024)}) | from_entries) as $mib
| ($c.runf.times | length) as $n
| "### Cold start: `/bin/true` in the read-only busybox rootfs (\($n) runs each\(if ($meta[0].rounds // 1) > 1 then " in \($meta[0].rounds) alternating rounds" else "" end), ms)",
  "",
  "| runtime | median | min | max | runf / this |",
  "|---|---:|---:|---:|---:|",
  ( ["runf", "runf-no-init", "runc", "crun", "crun-wrapper", "bwrap", "unshare", "true", "dotnet-empty"][] as $k
    | select($c[$k] != null)
    | $c[$k]
    | if $k == "crun" then
        "| crun, raw (inside the wrapper) | \(r(.median * 1000)) | \(r(.min * 1000)) | \(r(.max * 1000)) | |",
        "| crun, net (raw median − wrapper median) | **\(r($crun_net))** | | | \(ratio($ms.runf; $crun_net)) |"
      elif $k == "crun-wrapper" then
        "| crun wrapper alone (`unshare -Urm --cgroup` + cgroup2 mount) | \(r(.median * 1000)) | \(r(.min * 1000)) | \(r(.max * 1000)) | |"
      elif $k == "runf-no-init" then
        "| runf --no-init (the command as PID 1, no runf-init) | \(r(.median * 1000)) | \(r(.min * 1000)) | \(r(.max * 1000)) | \(ratio($ms.runf; .median * 1000)) |"
      elif $k == "unshare" then
        "| `unshare -Urmpiuf true` (floor) | \(r(.median * 1000)) | \(r(.min * 1000)) | \(r(.max * 1000)) | \(ratio($ms.runf; .median * 1000)) |"
      elif $k == "true" then
        "| `/bin/true` alone (exec floor) | \(r(.median * 1000)) | \(r(.min * 1000)) | \(r(.max * 1000)) | |"
      elif $k == "dotnet-empty" then
        "| empty NativeAOT program, runf'"'"'s build settings | \(r(.median * 1000)) | \(r(.min * 1000)) | \(r(.max * 1000)) | |",
        "| .NET floor: empty NativeAOT + (unshare − `/bin/true`) | \(r($dotnet_floor)) | | | \(ratio($ms.runf; $dotnet_floor)) |"
      else
        "| \($k) | **\(r(.median * 1000))** | \(r(.min * 1000)) | \(r(.max * 1000)) | \(if $k == "runf" then "" else ratio($ms.runf; .median * 1000) end) |"
      end),
  "",
  "### Throughput: \($meta[0].tp_count) containers of `/bin/true`, \($meta[0].tp_parallel) at a time (median of \($meta[0].tp_runs) batches, s)",
  "",
  "| runtime | wall time | min | max | runf / this |",
  "|---|---:|---:|---:|---:|",
  ( $tp[0].results[]
    | if .command == "crun" then
        "| crun, raw (inside the wrapper) | \(r(.median)) | \(r(.min)) | \(r(.max)) | |",
        "| crun, net (raw − wrapper) | **\(r($tp_crun_net))** | | | \(ratio($tps.runf; $tp_crun_net)) |"
      elif .command == "crun-wrapper" then
        "| crun wrapper alone | \(r(.median)) | \(r(.min)) | \(r(.max)) | |"
      else
        "| \(.command) | **\(r(.median))** | \(r(.min)) | \(r(.max)) | \(if .command == "runf" then "" else ratio($tps.runf; .median) end) |"
      end),
  "",
  "### Supervisor peak RSS (VmHWM) while the container runs (MiB, median of \($rss[0][0].kib | length))",
  "",
  "| supervisor | peak RSS | min | max | runf / this |",
  "|---|---:|---:|---:|---:|",
  ( $rss[0][]
    | "| \(if .name == "runf-100MiB" then "runf, 100 MiB through the container'"'"'s stdout" elif .name == "dotnet-empty" then "empty NativeAOT program sleeping 1 s (the .NET floor)" else "\(.name) (container: `sleep 1`)" end) | **\(r(.kib | med / 1024))** | \(r((.kib | min) / 1024)) | \(r((.kib | max) / 1024)) | \(if (.name | startswith("runf")) then "" else ratio($mib.runf; .kib | med / 1024) end) |"),
  "",
  "### Goals",
  "",
  "| goal | measured | |",
  "|---|---|---|",
  "| cold start <= 0.5 x crun (net) | \(ratio($ms.runf; $crun_net)) | \(goal($ms.runf <= 0.5 * $crun_net)) |",
  (if $dotnet_floor then "| (0.5 x crun is \(r(0.5 * $crun_net)) ms; the .NET floor is \(r($dotnet_floor)) ms) | | |" else empty end),
  "| cold start <= 0.25 x runc | \(ratio($ms.runf; $ms.runc)) | \(goal($ms.runf <= 0.25 * $ms.runc)) |",
  "| cold start <= 1.25 x bwrap | \(ratio($ms.runf; $ms.bwrap)) | \(goal($ms.runf <= 1.25 * $ms.bwrap)) |",
  (if $ms["runf-no-init"] then "| cold start with runf-init as PID 1 <= bwrap (which runs its own PID 1) | \(ratio($ms.runf; $ms.bwrap)); runf-init adds \(r($ms.runf - $ms["runf-no-init"])) ms | \(goal($ms.runf <= $ms.bwrap)) |" else empty end),
  "| throughput ahead of crun (net) | \(r($tps.runf)) s vs \(r($tp_crun_net)) s | \(goal($tps.runf < $tp_crun_net)) |",
  "| throughput ahead of runc | \(r($tps.runf)) s vs \(r($tps.runc)) s | \(goal($tps.runf < $tps.runc)) |",
  "| supervisor RSS <= 1.5 x bwrap | \(ratio($mib.runf; $mib.bwrap)) | \(goal($mib.runf <= 1.5 * $mib.bwrap)) |",
  (if $mib["dotnet-empty"] then "| (1.5 x bwrap is \(r(1.5 * $mib.bwrap)) MiB; the .NET floor is \(r($mib["dotnet-empty"])) MiB) | | |" else empty end),
  "| RSS does not grow with output (100 MiB vs none, within 5%) | \(r($mib["runf-100MiB"])) vs \(r($mib.runf)) MiB | \(goal($mib["runf-100MiB"] <= 1.05 * $mib.runf)) |"
' "$prefix-coldstart.json"
