#!/usr/bin/env bash
# Extraction benchmark, part 2 (issue 18; figures not checked, ./test.sh runs it once per tool): the
# Debian 12 image of the tests (rootfs-tools/make-debian-image.sh, built once per machine: minbase as
# mmdebstrap writes it, python3 as umoci diffs it, whiteouts; about 200 MB in 10,000 entries),
# extracted by GNU tar (the floor; it applies no whiteouts), runf and umoci from the same layers,
# gzip, zstd and uncompressed, with hyperfine, and the `rm -rf` of runf's tree that hyperfine's
# --prepare does between those runs, timed on its own. Prints a Markdown table of medians: wall
# time, and the user and system CPU time of the command and its children.
# Skipped, saying so, only when the image is not cached and the Debian mirror cannot be reached.
#   bench/extract/debian.sh [RUNF_BINARY]     (default: out/runf)
# Environment: BENCH_DIR (default /tmp/runf-bench-debian; needs ~1 GB), RUNS (rounds, default 5).
# As root (as ./test.sh and bench/run.sh run it), tar also makes the device nodes and sets owners.
set -euo pipefail
cd "$(dirname "$0")/../.."
runf=$(realpath "${1:-out/runf}")
dir=${BENCH_DIR:-/tmp/runf-bench-debian}
runs=${RUNS:-5}
mkdir -p "$dir"

status=0
deb=$(rootfs-tools/make-debian-image.sh) || status=$?
if [ "$status" = 77 ]; then
  echo "bench/extract/debian.sh: skipped (the line above says why)" >&2
  exit 0
elif [ "$status" != 0 ]; then
  exit "$status"
fi

blobs() { # the layer blobs of LAYOUT's image, in order
  local m
  m=$(jq -r '.manifests[0].digest' "$1/index.json")
  jq -r '.layers[].digest' "$1/blobs/sha256/${m#sha256:}" | sed "s|^sha256:|$1/blobs/sha256/|" | tr '\n' ' '
}
untar() { # untar TAR_OPTIONS FILES: the command that extracts FILES in order into a fresh $dir/t
  echo "rm -rf $dir/t && mkdir $dir/t && for l in $2; do tar $1 \$l -C $dir/t; done"
}
clean="rm -rf $dir/t $dir/r $dir/r.image.json $dir/r.owners $dir/u"
echo "Debian image: $(du -sh "$deb/debian.oci.tar" | cut -f1) gzip archive, $(du -sh "$deb/debian.docker.tar" | cut -f1) uncompressed," \
  "$(for l in "$deb"/layers/*.tar; do tar -tf "$l"; done | wc -l) entries in 3 layers" >&2

# Rounds of one run of every command, each round starting one command further down the list:
# the load of these shared machines drifts over minutes, and a command's runs back to back would
# each meet a different machine. A first round warms the caches and is not counted (none with
# RUNS=1, the smoke mode of ./test.sh, which only proves that every command works).
names=("tar -xzf (gzip layers)" "runf (oci-archive, gzip layers)" "umoci unpack --rootless (gzip layers)"
  "tar --zstd -xf (zstd layers)" "runf (oci-archive, zstd layers)" "tar -xf (uncompressed layers)"
  "runf (docker-archive, uncompressed)" "rm -rf of runf's tree (the untimed step between the runs above)")
commands=("$(untar -xzf "$(blobs "$deb/oci")")" "$runf rootfs extract $deb/debian.oci.tar -o $dir/r"
  "umoci unpack --rootless --image $deb/oci:debian $dir/u"
  "$(untar "--zstd -xf" "$(blobs "$deb/oci-zstd")")" "$runf rootfs extract $deb/debian-zstd.oci.tar -o $dir/r"
  "$(untar -xf "$(echo "$deb"/layers/{1,2,3}.tar)")" "$runf rootfs extract $deb/debian.docker.tar -o $dir/r" "rm -rf $dir/r")
prepares=("$clean" "$clean" "$clean" "$clean" "$clean" "$clean" "$clean"
  "$clean && $runf rootfs extract $deb/debian.oci.tar -o $dir/r 2>/dev/null")
rm -f "$dir"/round-*.json
for ((round = runs > 1 ? 0 : 1; round <= runs; round++)); do
  args=()
  for ((i = 0; i < ${#names[@]}; i++)); do
    j=$(((i + round) % ${#names[@]}))
    args+=(--prepare "${prepares[j]}" -n "${names[j]}" "${commands[j]}")
  done
  if [ "$round" = 0 ]; then echo "warm-up round" >&2; else echo "round $round of $runs" >&2; fi
  hyperfine --runs 1 --style none --export-json "$dir/round-$round.json" "${args[@]}" >/dev/null
done
rm -f "$dir/round-0.json"
printf '%s\n' "${names[@]}" >"$dir/names.txt"
python3 - "$dir/names.txt" "$dir"/round-*.json <<'PY'
import json, statistics, sys
runs = {name: [] for name in open(sys.argv[1]).read().splitlines()}
for f in sys.argv[2:]:
    for r in json.load(open(f))["results"]:
        runs.setdefault(r["command"], []).append((r["times"][0], r["user"], r["system"]))
print(f"{len(sys.argv) - 2} rounds; medians in seconds (min-max of the wall time)\n")
print("| command | wall | min-max | user | system |\n|---|---:|---:|---:|---:|")
for name, rs in runs.items():
    wall = [r[0] for r in rs]
    print(f"| {name} | {statistics.median(wall):.2f} | {min(wall):.2f}-{max(wall):.2f} |"
          f" {statistics.median(r[1] for r in rs):.2f} | {statistics.median(r[2] for r in rs):.2f} |")
PY
$clean
