#!/usr/bin/env bash
# The Debian test image of issue 18: a real distribution image, built with the tools that build
# them, once per machine. Prints the directory that holds it:
#   DIR/oci                  OCI layout (umoci), tag "debian", gzip layers:
#     1. `mmdebstrap --variant=minbase bookworm` as mmdebstrap writes it (a tar of "./" names with
#        real device nodes in /dev, setuid and setgid binaries, hardlinks, /var/lib/dpkg), added
#        verbatim with `umoci raw add-layer`, as Debian's official images add their rootfs tarball;
#     2. python3 (without recommends), installed by a second mmdebstrap over the first tree, as
#        `umoci repack` diffs it;
#     3. written here (umoci's diff never emits opaque whiteouts): etc/issue.net deleted,
#        usr/bin/perl5.36.0 deleted (a hardlink of usr/bin/perl, which stays), usr/share/doc made
#        opaque with one new file (with a user xattr), a fifo, and usr/local/bin/py, a 10-link
#        chain to /bin/python3 (through the /bin -> usr/bin symlink of merged /usr).
#   DIR/oci-zstd             the same image with zstd layers (skopeo --dest-compress-format zstd)
#   DIR/debian.docker.tar    skopeo docker-archive (uncompressed layers)
#   DIR/debian.oci.tar       skopeo oci-archive, gzip layers
#   DIR/debian-zstd.oci.tar  skopeo oci-archive, zstd layers
#   DIR/debian.docker.tar.zst  the docker-archive compressed whole, as `docker save | zstd` leaves it
#   DIR/layers/N.tar         the uncompressed layers in order (for GNU tar in bench/extract)
#   DIR/oracle/debian        `umoci unpack --rootless` of DIR/oci (umoci 0.4.7 cannot read zstd)
#   DIR/build.log            what each step took
# DIR is $RUNF_TEST_IMAGE_CACHE/<key> (default /var/cache/runf-test-images), the key the first 16
# hex digits of this script's sha256: a changed recipe builds a new image, the same recipe reuses
# it. It is built under a lock in a temporary directory that is renamed when complete, and the
# directories of other keys are removed then.
#
# Usage: make-debian-image.sh [--check]
#   --check  exits 0 when the image is cached or can be built (the mirror answers), else 77.
# Exit codes: 0 built or cached; 77 not cached and the Debian mirror cannot be reached (one line
# on stderr; the tests skip on it); anything else is a failed build.
# Building needs root (device nodes in /dev are made with mknod), mmdebstrap, umoci, skopeo, jq,
# python3 and curl. The mirror is $RUNF_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
recipe=$(realpath "$0")
cache=${RUNF_TEST_IMAGE_CACHE:-/var/cache/runf-test-images}
mirror=${RUNF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
key=$(sha256sum "$recipe" | cut -c1-16)
dir=$cache/$key

mirror_answers() {
  local why
  if ! why=$(curl -fsS --max-time 20 -o /dev/null "$mirror/dists/$suite/InRelease" 2>&1); then
    echo "make-debian-image.sh: the Debian mirror $mirror cannot be reached ($why); the Debian image ($dir) is not cached and needs it once" >&2
    return 1
  fi
}

if [ -f "$dir/complete" ]; then
  [ "${1:-}" = --check ] || echo "$dir"
  exit 0
fi
if [ "${1:-}" = --check ]; then
  mirror_answers || exit 77
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "make-debian-image.sh: building the Debian image needs root (mmdebstrap --mode=root makes the device nodes); run it once as root" >&2
  exit 1
fi

mkdir -p "$cache"
chmod 0755 "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$dir/complete" ]; then # another run built it while this one waited
  echo "$dir"
  exit 0
fi
mirror_answers || exit 77
# What a killed build left (this one holds the lock, so no other build is running).
find "$cache" -mindepth 1 -maxdepth 1 -name '.build-*' -exec rm -rf {} +

out=$(mktemp -d "$cache/.build-$key-XXXXXX")
chmod 0755 "$out" # apt's _apt user downloads into it
trap 'rm -rf "$out"' EXIT
work=$out/work
mkdir -p "$work" "$out/layers" "$out/oracle"
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
    echo "make-debian-image.sh: $name failed (exit $status); the last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit "$status"
  fi
}

# Layer 1: the minbase tarball, exactly as mmdebstrap writes it.
step "mmdebstrap minbase" mmdebstrap --variant=minbase --mode=root "$suite" "$out/layers/1.tar" "$mirror"
umoci init --layout "$out/oci"
umoci new --image "$out/oci:debian"
umoci config --image "$out/oci:debian" --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env LANG=C.UTF-8 \
  --config.cmd python3 --config.workingdir / --config.label org.example=debian
step "umoci add layer 1" umoci raw add-layer --image "$out/oci:debian" "$out/layers/1.tar"

# Layer 2: python3 over that tree (a second mmdebstrap extracts layer 1 and installs python3 with
# apt), diffed by umoci against layer 1 as it unpacks (the two run side by side).
mkdir "$work/python"
step "mmdebstrap python3" mmdebstrap --variant=custom --mode=root --include=python3 \
  --setup-hook="tar-in $out/layers/1.tar /" "$suite" "$work/python" "$mirror" &
python_pid=$!
step "umoci unpack layer 1" umoci unpack --image "$out/oci:debian" "$work/b2"
wait "$python_pid"
rm -rf "$work/b2/rootfs"
mv "$work/python" "$work/b2/rootfs"
step "umoci repack layer 2" umoci repack --image "$out/oci:debian" "$work/b2"
rm -rf "$work/b2"

# Layer 3: deletions, an opaque directory, a fifo and a long symlink chain.
python3 - "$out/layers/3.tar" <<'PY'
import io, sys, tarfile
MTIME = 1700000000
def add(t, name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, xattrs={}):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = mode; i.mtime = MTIME; i.linkname = link
    i.pax_headers = {"SCHILY.xattr." + k: v for k, v in xattrs.items()}
    if kind == tarfile.REGTYPE: i.size = len(data); t.addfile(i, io.BytesIO(data))
    else: t.addfile(i)
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "etc/.wh.issue.net")
    add(t, "usr/bin/.wh.perl5.36.0")
    add(t, "usr/share/doc/", tarfile.DIRTYPE, mode=0o755)
    add(t, "usr/share/doc/.wh..wh..opq")
    add(t, "usr/share/doc/README", data=b"the documentation of the lower layers is hidden by an opaque whiteout\n",
        xattrs={"user.runf.note": "kept by umoci and runf"})
    add(t, "var/spool/runf.fifo", tarfile.FIFOTYPE, mode=0o620)
    add(t, "usr/local/lib/chain/", tarfile.DIRTYPE, mode=0o755)
    for n in range(9):
        add(t, f"usr/local/lib/chain/{n}", tarfile.SYMTYPE, link=str(n + 1), mode=0o777)
    add(t, "usr/local/lib/chain/9", tarfile.SYMTYPE, link="/bin/python3", mode=0o777)
    add(t, "usr/local/bin/py", tarfile.SYMTYPE, link="../lib/chain/0", mode=0o777)
PY
step "umoci add layer 3" umoci raw add-layer --image "$out/oci:debian" "$out/layers/3.tar"
umoci gc --layout "$out/oci"

# Layer 2 as umoci wrote it, uncompressed, for GNU tar in the benchmark.
manifest=$(jq -r '.manifests[0].digest' "$out/oci/index.json")
layer2=$(jq -r '.layers[1].digest' "$out/oci/blobs/sha256/${manifest#sha256:}")
gzip -dc "$out/oci/blobs/sha256/${layer2#sha256:}" >"$out/layers/2.tar"

step "skopeo zstd layout" skopeo copy -q --dest-compress-format zstd "oci:$out/oci:debian" "oci:$out/oci-zstd:debian"
step "skopeo docker-archive" skopeo copy -q "oci:$out/oci:debian" "docker-archive:$out/debian.docker.tar:example.com/test/debian:12"
step "skopeo oci-archive" skopeo copy -q "oci:$out/oci:debian" "oci-archive:$out/debian.oci.tar:debian"
step "skopeo oci-archive zstd" skopeo copy -q "oci:$out/oci-zstd:debian" "oci-archive:$out/debian-zstd.oci.tar:debian"
step "zstd docker-archive" zstd -q -T0 "$out/debian.docker.tar" -o "$out/debian.docker.tar.zst"
step "umoci unpack --rootless (oracle)" umoci unpack --rootless --image "$out/oci:debian" "$work/oracle"
mv "$work/oracle/rootfs" "$out/oracle/debian"
rm -rf "$work"

# The inputs are read by the unprivileged test user; the oracle keeps the modes under test.
chmod -R a+rX "$out/oci" "$out/oci-zstd" "$out/layers" "$out"/debian*
chmod 0755 "$out" "$out/oracle"
echo "== total: $(seconds_since "$started")" >>"$log"
touch "$out/complete"
find "$cache" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9a-f]{16}' ! -name "$key" -exec rm -rf {} +
mv "$out" "$dir"
trap - EXIT
echo "$dir"
