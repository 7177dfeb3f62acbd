#!/usr/bin/env bash
# Runs RunF's fuzz targets under AFL++ with SharpFuzz, one after another (README.md here).
#   tests/RunF.Fuzz/fuzz.sh [--time SECONDS] [TARGET...]   each target SECONDS (default 600)
#   tests/RunF.Fuzz/fuzz.sh --smoke                        every target ~12 s: the harness still builds, runs, finds nothing
# Targets: archive layer image-config seccomp (default: all). Builds into out/fuzz (instrumented
# RunF assemblies), seeds each campaign from seeds/TARGET (plus the system's containers-common
# seccomp profile), writes afl-fuzz's output to out/fuzz/findings/TARGET (crashes/, hangs/,
# fuzzer_stats; RUNF_FUZZ_OUT=DIR for another place, RUNF_FUZZ_DIR=DIR for the targets' sandboxes)
# and prints one summary line per target. Exit 1 if a target has a crash or a
# hang, 2 if a target could not run. Replay an input: dotnet out/fuzz/bin/RunF.Fuzz.dll TARGET FILE.
# As root it installs afl++ if missing. Campaigns run at nice 19: the machine is shared.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=600
smoke=false
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --smoke) smoke=true; seconds=12; shift ;;
    archive|layer|image-config|seccomp) targets+=("$1"); shift ;;
    *) echo "usage: fuzz.sh [--smoke | --time SECONDS] [archive|layer|image-config|seccomp...]" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(archive layer image-config seccomp)

if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "fuzz.sh: afl-fuzz is missing (apt-get install afl++, or run as root)" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi

work=${RUNF_FUZZ_OUT:-$repo/out/fuzz}
bin=$work/bin
# Instrumentation rewrites the assemblies in place: publish afresh, then instrument RunF's own
# assemblies (the framework's System.Formats.Tar and System.Text.Json are fuzzed upstream).
rm -rf "$bin"
dotnet publish "$here" -c Release -o "$bin" --nologo -v quiet -p:TreatWarningsAsErrors=true
(cd "$here" && dotnet tool restore >/dev/null)
for assembly in RunF.RootfsTools RunF.Runtime RunF.Interop; do
  (cd "$here" && dotnet tool run sharpfuzz "$bin/$assembly.dll" >/dev/null)
done

export AFL_SKIP_BIN_CHECK=1              # the target is `dotnet`, not an afl-instrumented binary
export AFL_NO_AFFINITY=1                 # shared cores: let the scheduler place it
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1
export AFL_AUTORESUME=1
export AFL_FAST_CAL=1                    # .NET's first runs are slow and noisy anyway
[ -t 1 ] && unset AFL_NO_UI

status=0
for target in "${targets[@]}"; do
  seeds=$work/seeds/$target
  findings=$work/findings/$target
  rm -rf "$seeds"
  mkdir -p "$seeds" "$work/findings"
  cp "$here/seeds/$target"/* "$seeds/"
  if [ "$target" = seccomp ] && [ -f /usr/share/containers/seccomp.json ]; then
    cp /usr/share/containers/seccomp.json "$seeds/containers-common.json"
  fi
  # A smoke run starts afresh with a fixed random seed; a campaign resumes the target's earlier findings.
  seed=()
  if $smoke; then rm -rf "$findings"; seed=(-s 1); fi
  input=$seeds
  [ -f "$findings/default/fuzzer_stats" ] && input=-
  started=$(date +%s)
  # -t: a .NET input that takes 2 s is a hang; -m none: the runtime reserves far more than it uses.
  nice -n 19 timeout --preserve-status -s INT "$seconds" \
    afl-fuzz "${seed[@]}" -i "$input" -o "$findings" -x "$here/dictionaries/$target.dict" -t 2000 -m none \
      -- "$(command -v dotnet)" "$bin/RunF.Fuzz.dll" "$target" >"$work/$target.log" 2>&1 || true
  stats=$findings/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    echo "fuzz $target: afl-fuzz did not start; see $work/$target.log" >&2
    tail -5 "$work/$target.log" >&2
    status=2
    continue
  fi
  field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  if [ "$(field execs_done)" -eq 0 ]; then
    echo "fuzz $target: afl-fuzz ran no input; see $work/$target.log" >&2
    status=2
    continue
  fi
  crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  echo "fuzz $target: $(( $(date +%s) - started )) s, $(field execs_done) execs ($(field execs_per_sec)/s), corpus $(field corpus_count), edges $(field edges_found), map $(field bitmap_cvg), crashes $crashes, hangs $hangs"
  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    echo "  replay: dotnet $bin/RunF.Fuzz.dll $target $findings/default/{crashes,hangs}/id:*" >&2
    status=1
  fi
done
exit $status
