#!/usr/bin/env bash
# The measurements themselves, run as the unprivileged user every runtime is compared as (run.sh
# drops to it). Everything lives in WORK, a world-readable directory holding runf, the rootfs and
# the OCI bundles; raw results go to WORK/results as JSON:
#   measure.sh WORK MODE           (MODE: full or smoke)
set -euo pipefail
work=${1:?usage: measure.sh WORK full|smoke}
mode=${2:?usage: measure.sh WORK full|smoke}
lib=$(cd "$(dirname "$0")" && pwd)
out=$work/results
mkdir -p "$out" "$work/runc-state" "$work/crun-state"
export HOME=$work

if [ "$mode" = smoke ]; then
  runs=3 rounds=1 warmup=1 tp_count=16 tp_runs=1 rss_runs=1
else
  runs=100 rounds=5 warmup=5 tp_count=200 tp_runs=3 rss_runs=5
fi
tp_parallel=8
jq -n --argjson runs "$runs" --argjson rounds "$rounds" --argjson warmup "$warmup" --argjson tp_count "$tp_count" --argjson tp_parallel "$tp_parallel" \
  --argjson tp_runs "$tp_runs" --argjson rss_runs "$rss_runs" \
  '{runs: $runs, rounds: $rounds, warmup: $warmup, tp_count: $tp_count, tp_parallel: $tp_parallel, tp_runs: $tp_runs, rss_runs: $rss_runs}' \
  > "$out/params.json"
rootfs=$work/rootfs
uid=$(id -u) gid=$(id -g)

# One bundle per container command: OCI runtimes take the command from config.json. runc maps
# the caller's ids; crun runs inside a user namespace where the caller already is root.
bundles() {
  local name=$1
  shift
  "$lib/oci-bundle.sh" "$work/runc-$name" "$rootfs" "$uid" "$gid" "$@"
  "$lib/oci-bundle.sh" "$work/crun-$name" "$rootfs" 0 0 "$@"
}
bundles true /bin/true
bundles sleep /bin/sleep 1
bundles check /bin/sh -c 'test -x /bin/busybox && ! touch /written 2>/dev/null'

# crun 1.8 refuses hybrid cgroup hosts: give it a private cgroup2 view. The wrapper alone
# (same shell, same mount, no crun) is measured in the same run and subtracted.
crun_wrapper="unshare -Urm --cgroup sh -c 'mount -t cgroup2 none /sys/fs/cgroup"

# The closest bubblewrap gets to runf's container: same namespaces, read-only rootfs, fresh
# /proc (bwrap makes /proc/sys, sysrq-trigger, irq, bus read-only itself), /dev with devpts and
# shm, mqueue, /sys read-only, tmpfs /tmp, resolver files, the masks that exist on this host,
# and runf's three capabilities. bwrap cannot set RLIMIT_NOFILE or no_new_privs flags apart.
bwrap_flags="--unshare-user --unshare-pid --unshare-ipc --unshare-uts --uid 0 --gid 0 --hostname bench --die-with-parent \
--ro-bind $rootfs / --proc /proc --dev /dev --mqueue /dev/mqueue --ro-bind /sys /sys --tmpfs /tmp \
--ro-bind /etc/resolv.conf /etc/resolv.conf --ro-bind /etc/hosts /etc/hosts \
--cap-drop ALL --cap-add CAP_KILL --cap-add CAP_NET_BIND_SERVICE --cap-add CAP_AUDIT_WRITE"
# runf's masks, as bwrap spells them; bwrap fails on a mount point that is missing, and this
# kernel lacks some (kcore, sched_debug...), so only those present here.
for path in /proc/asound /proc/acpi /proc/scsi /sys/firmware; do
  [ -d "$path" ] && bwrap_flags+=" --tmpfs $path --remount-ro $path"
done
for path in /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug; do
  [ -e "$path" ] && bwrap_flags+=" --ro-bind /dev/null $path"
done

# cmd RUNTIME NAME ID: the command line (hyperfine -N syntax) that runs bundle/command NAME in
# a container called ID.
cmd() {
  local runtime=$1 name=$2 id=$3 argv
  case $name in
    true) argv=/bin/true ;;
    sleep) argv="/bin/sleep 1" ;;
    check) argv="/bin/sh -c 'test -x /bin/busybox && ! touch /written 2>/dev/null'" ;;
  esac
  case $runtime in
    runf) echo "$work/runf --rootfs $rootfs $argv" ;;
    # The command as PID 1 (runf's default is runf-init as PID 1): what the init costs.
    runf-no-init) echo "$work/runf --no-init --rootfs $rootfs $argv" ;;
    runc) echo "runc --root $work/runc-state run -b $work/runc-$name $id" ;;
    crun) echo "$crun_wrapper && exec crun --root $work/crun-state run -b $work/crun-$name $id'" ;;
    crun-wrapper) echo "$crun_wrapper'" ;;
    bwrap) echo "bwrap $bwrap_flags $argv" ;;
    unshare) echo "unshare -Urmpiuf $argv" ;;
    # The floors: exec alone, and a .NET program that does nothing (sleep: for the RSS poll).
    true) echo "/bin/true" ;;
    dotnet-empty) if [ "$name" = sleep ]; then echo "$work/dotnet-empty 1000"; else echo "$work/dotnet-empty"; fi ;;
  esac
}
runtimes=(runf runc crun bwrap)

# 1. Every runtime must really run a container in the read-only rootfs, or nothing else counts.
failed=0
for rt in "${runtimes[@]}"; do
  if ! eval "$(cmd "$rt" check bench-check)" </dev/null; then
    echo "measure: $rt failed to run a container in $rootfs" >&2
    failed=1
  fi
done
[ $failed = 0 ] || exit 1
echo "measure: every runtime runs a container in the read-only rootfs" >&2

# 2. Cold start of /bin/true with hyperfine, no intermediate shell. hyperfine runs one command's
# runs back to back, and the load on these shared machines drifts over minutes: a burst would
# land on one runtime only. So the runs are split into rounds, each starting one runtime further
# down the list, and coldstart.json holds every round's times together, with their median, min,
# max and mean.
coldstart=(runf runf-no-init runc crun crun-wrapper bwrap unshare true dotnet-empty)
for round in $(seq "$rounds"); do
  args=()
  for i in "${!coldstart[@]}"; do
    rt=${coldstart[$(((i + round - 1) % ${#coldstart[@]}))]}
    args+=(-n "$rt" "$(cmd "$rt" true bench)")
  done
  hyperfine -N --style basic --warmup "$warmup" --runs "$((runs / rounds))" \
    --export-json "$out/coldstart-$round.json" "${args[@]}" >&2
done
jq -s 'def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  {results: [map(.results) | add | group_by(.command)[]
    | {command: .[0].command, times: (map(.times) | add)}
    | . + {median: (.times | med), min: (.times | min), max: (.times | max), mean: (.times | add / length)}]}' \
  "$out"/coldstart-*.json > "$out/coldstart.json"

# 3. Throughput: tp_count containers, tp_parallel at a time, wall time of the whole batch.
seq "$tp_count" > "$work/ids"
args=()
for rt in runf runc crun crun-wrapper bwrap unshare; do
  # xargs -I substitutes the id into the container name (runc/crun) or a harmless extra argument.
  case $rt in
    runc | crun) c=$(cmd "$rt" true 'tp{}') ;;
    *) c="$(cmd "$rt" true tp) {}" ;;
  esac
  args+=(-n "$rt" "xargs -P $tp_parallel -I{} -a $work/ids $c")
done
hyperfine -N --style basic --warmup 1 --runs "$tp_runs" --export-json "$out/throughput.json" "${args[@]}" >&2

# 4. Memory: peak RSS (VmHWM) of the supervisor process (the one the caller waits for) while
# its container sleeps for a second. Polled until it exits, so the last reading is the peak.
# Sets $peak; fails if the process failed. Not in a $(...) subshell: wait needs the real parent.
peak_kib() {
  local pid=$1 line
  peak=0
  while line=$(grep -s '^VmHWM:' "/proc/$pid/status"); do
    peak=$(awk '{print $2}' <<<"$line")
    sleep 0.02
  done
  wait "$pid"
}
rss_json=$out/rss.json
echo '[]' > "$rss_json"
record() { # record NAME KIB...
  local name=$1
  shift
  jq --arg name "$name" --argjson kib "$(printf '%s\n' "$@" | jq -s .)" '. + [{name: $name, kib: $kib}]' \
    "$rss_json" > "$rss_json.tmp" && mv "$rss_json.tmp" "$rss_json"
}
for rt in "${runtimes[@]}" dotnet-empty; do
  samples=()
  for i in $(seq "$rss_runs"); do
    # exec: for crun the wrapper's unshare and sh exec into crun, so $! is the supervisor.
    eval "exec $(cmd "$rt" sleep "rss$i")" </dev/null >/dev/null &
    peak_kib $!
    samples+=("$peak")
  done
  record "$rt" "${samples[@]}"
done

# runf passes stdio through: its peak must not grow when 100 MiB go through the container's stdout.
bytes=$((100 * 1024 * 1024))
mkfifo "$work/stream"
samples=()
for i in $(seq "$rss_runs"); do
  wc -c < "$work/stream" > "$work/stream-count" &
  counter=$!
  "$work/runf" --rootfs "$rootfs" /bin/head -c "$bytes" /dev/zero > "$work/stream" &
  peak_kib $!
  samples+=("$peak")
  wait "$counter"
  got=$(cat "$work/stream-count")
  [ "$got" = "$bytes" ] || { echo "measure: runf passed $got of $bytes bytes" >&2; exit 1; }
done
record runf-100MiB "${samples[@]}"
echo "measure: done" >&2
