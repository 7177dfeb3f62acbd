#!/usr/bin/env bash
# Extraction benchmark for issue 3 (figures not checked; ./test.sh runs it once per tool): a generated 5-layer image of about
# 300 MB in 32,000+ files, extracted by GNU tar (the floor), runf and umoci, with hyperfine.
#   bench/extract/run.sh [RUNF_BINARY [BASELINE_RUNF]]     (default: out/runf; a baseline, such as the
#   binary of an earlier commit, is timed in the same run on the same archives)
# Environment: BENCH_DIR (default /tmp/runf-bench; needs ~2 GB), RUNS (default 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
runf=$(realpath "${1:-out/runf}")
dir=${BENCH_DIR:-/tmp/runf-bench}
runs=${RUNS:-5}
mkdir -p "$dir"
baseline=()
if [ -n "${2:-}" ]; then
  base=$(realpath "$2")
  baseline=(-n "baseline runf (oci-archive, gzip layers)" "$base rootfs extract $dir/bench.oci.tar -o $dir/r"
            -n "baseline runf (docker-archive, uncompressed)" "$base rootfs extract $dir/bench.docker.tar -o $dir/r")
fi

if [ ! -f "$dir/bench.oci.tar" ]; then
  rm -rf "$dir/layers" "$dir/oci"
  mkdir -p "$dir/layers"
  python3 bench/extract/make-image.py "$dir/layers"
  umoci init --layout "$dir/oci"
  umoci new --image "$dir/oci:bench"
  for l in 1 2 3 4 5; do umoci raw add-layer --image "$dir/oci:bench" "$dir/layers/layer$l.tar"; done
  skopeo copy -q "oci:$dir/oci:bench" "oci-archive:$dir/bench.oci.tar:bench"
  skopeo copy -q "oci:$dir/oci:bench" "docker-archive:$dir/bench.docker.tar:bench:latest"
  # The gzip blobs exactly as the OCI archive holds them, in order, for tar -xzf.
  mdigest=$(jq -r '.manifests[0].digest' "$dir/oci/index.json")
  jq -r '.layers[].digest' "$dir/oci/blobs/sha256/${mdigest#sha256:}" | sed 's/^sha256://' > "$dir/gzip-layers.txt"
fi
echo "image: $(du -sh "$dir/bench.oci.tar" | cut -f1) gzip archive, $(du -sh "$dir/bench.docker.tar" | cut -f1) uncompressed," \
  "$(cat "$dir"/layers/layer*.tar | tar -tf - 2>/dev/null | wc -l) entries" >&2

tar_gz="rm -rf $dir/t && mkdir $dir/t && for b in \$(cat $dir/gzip-layers.txt); do tar -xzf $dir/oci/blobs/sha256/\$b -C $dir/t; done"
tar_plain="rm -rf $dir/t && mkdir $dir/t && for l in 1 2 3 4 5; do tar -xf $dir/layers/layer\$l.tar -C $dir/t; done"
hyperfine --runs "$runs" --warmup 1 --export-json "$dir/results.json" --export-markdown "$dir/results.md" \
  --prepare "rm -rf $dir/t $dir/r $dir/r.image.json $dir/r.owners $dir/u" \
  -n "tar -xzf (gzip layers)" "$tar_gz" \
  -n "runf (oci-archive, gzip layers)" "$runf rootfs extract $dir/bench.oci.tar -o $dir/r" \
  -n "umoci unpack --rootless (gzip layers)" "umoci unpack --rootless --image $dir/oci:bench $dir/u" \
  -n "tar -xf (uncompressed layers)" "$tar_plain" \
  -n "runf (docker-archive, uncompressed)" "$runf rootfs extract $dir/bench.docker.tar -o $dir/r" \
  "${baseline[@]}"
python3 - "$dir/results.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:45s} median {r["median"]:.2f} s  (min {r["min"]:.2f}, max {r["max"]:.2f})')
PY
rm -rf "$dir/t" "$dir/r" "$dir/r.image.json" "$dir/r.owners" "$dir/u"
