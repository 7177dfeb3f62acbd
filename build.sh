#!/usr/bin/env bash
# Builds RunF: the native launcher (native/), then one NativeAOT binary with it linked in.
#   ./build.sh            -> out/runf, out/runf-serve (runf serve, the HTTP executor), and
#                            out/runf-serve-baselines (its benchmark baselines, for bench/ and the tests)
#   ./build.sh rootfs     -> also out/rootfs, a busybox rootfs (installs busybox-static)
set -euo pipefail
cd "$(dirname "$0")"

make -s -C native
dotnet publish src/RunF.Cli -c Release -o out/publish --nologo -v quiet -p:TreatWarningsAsErrors=true
install -m 0755 out/publish/runf out/runf
echo "built $(pwd)/out/runf" >&2
# A binary of its own: Kestrel linked into runf would slow every container start.
dotnet publish src/RunF.Serve -c Release -o out/publish-serve --nologo -v quiet -p:TreatWarningsAsErrors=true
install -m 0755 out/publish-serve/runf-serve out/runf-serve
echo "built $(pwd)/out/runf-serve" >&2
dotnet publish bench/RunF.Serve.Baselines -c Release -o out/publish-baselines --nologo -v quiet -p:TreatWarningsAsErrors=true
install -m 0755 out/publish-baselines/runf-serve-baselines out/runf-serve-baselines
echo "built $(pwd)/out/runf-serve-baselines" >&2

if [ "${1:-}" = rootfs ]; then
  rootfs-tools/make-busybox-rootfs.sh out/rootfs
fi
