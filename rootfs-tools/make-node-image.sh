#!/usr/bin/env bash
# A Node.js function image for the tests of the function contracts (issue 20), built from this
# machine's node and the npm packages named on the command line, once per machine and package
# list. Prints the directory that holds it:
#   DIR/node.oci.tar   skopeo oci-archive of an OCI image (umoci, one gzip layer, tag "node"):
#                      /usr/bin/node and the libraries ldd names for it and for every native
#                      addon (*.node) the packages installed, /etc/passwd and /etc/group, /tmp
#                      (1777), and /function with the packages in /function/node_modules
#                      (`npm install --prefix`); config: Env PATH, WorkingDir /function, Cmd node
#   DIR/packages       the package list, one a line
#   DIR/build.log      what each step took
# That is the path a user's image takes: a directory tree, a layer tar, an image (umoci, skopeo);
# the tests run `runf rootfs extract` on the archive.
# DIR is $RUNF_TEST_IMAGE_CACHE/node-<key> (default /var/cache/runf-test-images), the key the
# first 16 hex digits of the sha256 of this script, node's version and the package list: the same
# recipe and packages reuse it. It is built under a lock in a temporary directory renamed when
# complete; images of another version of this script are removed then.
#
# Usage: make-node-image.sh [--check] PACKAGE...   (npm specs: "@fnproject/fdk@0.0.76", "left-pad")
#   --check  exits 0 when the image is cached or can be built (the npm registry answers), else 77.
# Exit codes: 0 built or cached; 77 not cached and the npm registry cannot be reached (one line on
# stderr; the tests skip on it); 2 bad usage; anything else is a failed build.
# Needs node and npm (Debian's nodejs and npm), umoci, skopeo, and write access to the cache.
# Native addons are compiled by npm (node-gyp) against the machine's node headers.
set -euo pipefail
recipe=$(realpath "$0")
cache=${RUNF_TEST_IMAGE_CACHE:-/var/cache/runf-test-images}
check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
if [ $# -eq 0 ]; then
  echo "make-node-image.sh: name the npm packages to install (e.g. make-node-image.sh @fnproject/fdk)" >&2
  exit 2
fi
for tool in node npm umoci skopeo; do
  if ! command -v "$tool" >/dev/null; then
    echo "make-node-image.sh: $tool is not installed (test.sh installs nodejs, npm, umoci and skopeo)" >&2
    exit 1
  fi
done
node=$(realpath "$(command -v node)")
packages=$(printf '%s\n' "$@" | LC_ALL=C sort -u)
script_key=$(sha256sum "$recipe" | cut -c1-16)
key=$({ echo "$script_key"; "$node" --version; echo "$packages"; } | sha256sum | cut -c1-16)
dir=$cache/node-$key
registry=$(npm config get registry)

registry_answers() {
  if ! npm ping --fetch-timeout=20000 --fetch-retries=0 >/dev/null 2>&1; then
    echo "make-node-image.sh: the npm registry $registry cannot be reached; the Node.js image ($dir) is not cached and needs it once" >&2
    return 1
  fi
}

if [ -f "$dir/complete" ]; then
  [ $check = 1 ] || echo "$dir"
  exit 0
fi
if [ $check = 1 ]; then
  registry_answers || exit 77
  exit 0
fi

mkdir -p "$cache"
chmod 0755 "$cache"
exec 9>"$cache/.node-lock"
flock 9
if [ -f "$dir/complete" ]; then # another run built it while this one waited
  echo "$dir"
  exit 0
fi
registry_answers || exit 77
# What a killed build left (this one holds the lock, so no other build is running).
find "$cache" -mindepth 1 -maxdepth 1 -name '.node-build-*' -exec rm -rf {} +

out=$(mktemp -d "$cache/.node-build-$key-XXXXXX")
trap 'rm -rf "$out"' EXIT
tree=$out/tree
log=$out/build.log
seconds_since() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
started=$(date +%s%N)
step() { # step NAME COMMAND...: runs the command, its output to the log, and logs its duration
  local name=$1 t0 status=0
  shift
  t0=$(date +%s%N)
  echo "== $name: $*" >>"$log"
  "$@" >>"$log" 2>&1 || status=$?
  echo "== $name: $(seconds_since "$t0") (exit $status)" >>"$log"
  if [ "$status" != 0 ]; then
    echo "make-node-image.sh: $name failed (exit $status); the last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit "$status"
  fi
}

# copy_libraries FILE: the shared libraries ldd names for FILE (and the dynamic loader), each at
# the path ldd gives, as a regular file (the image needs no library symlinks).
copy_libraries() {
  local lib
  for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
    if [ ! -e "$tree$lib" ]; then
      mkdir -p "$tree$(dirname "$lib")"
      cp -L "$lib" "$tree$lib"
    fi
  done
}

mkdir -p "$tree/usr/bin" "$tree/etc" "$tree/function" "$tree/tmp"
chmod 1777 "$tree/tmp"
cp "$node" "$tree/usr/bin/node"
copy_libraries "$node"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$tree/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$tree/etc/group"
echo "$packages" >"$out/packages"

# The packages, as a function's build installs them. node-gyp builds addons against the
# machine's headers when they are installed (Debian's nodejs ships them), not a download.
nodedir=()
[ -f /usr/include/node/node.h ] && nodedir=(--nodedir=/usr)
# shellcheck disable=SC2086 # one word per package
step "npm install" npm install --prefix "$tree/function" --cache "$out/npm-cache" --no-audit --no-fund \
  --omit=dev --no-package-lock "${nodedir[@]}" $packages
while IFS= read -r -d '' addon; do copy_libraries "$addon"; done < <(find "$tree/function" -name '*.node' -type f -print0)
rm -rf "$out/npm-cache"

step "tar the tree" tar --numeric-owner --owner=0 --group=0 --sort=name -C "$tree" -cf "$out/layer.tar" .
umoci init --layout "$out/oci"
umoci new --image "$out/oci:node"
umoci config --image "$out/oci:node" --config.env PATH=/usr/local/bin:/usr/bin:/bin \
  --config.workingdir /function --config.cmd node
step "umoci add layer" umoci raw add-layer --image "$out/oci:node" "$out/layer.tar"
umoci gc --layout "$out/oci"
step "skopeo oci-archive" skopeo copy -q "oci:$out/oci:node" "oci-archive:$out/node.oci.tar:node"
rm -rf "$tree" "$out/layer.tar" "$out/oci"

chmod 0755 "$out"
chmod 0644 "$out/node.oci.tar" "$out/packages"
echo "== total: $(seconds_since "$started")" >>"$log"
echo "$script_key" >"$out/recipe"
touch "$out/complete"
# Images of another version of this script; those of other package lists stay.
for old in "$cache"/node-*; do
  if [ -f "$old/recipe" ] && [ "$(cat "$old/recipe")" != "$script_key" ]; then rm -rf "$old"; fi
done
mv "$out" "$dir"
trap - EXIT
echo "$dir"
