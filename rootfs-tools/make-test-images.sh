#!/usr/bin/env bash
# Builds the test images of RunF.RootfsTools with real tools, into OUTDIR:
#   OUTDIR/oci                  OCI layout (umoci), tags "multi" (4 layers) and "second" (1 layer)
#   OUTDIR/oci-zstd             the same "multi" with every layer recompressed as zstd
#   OUTDIR/multi.docker.tar     skopeo docker-archive (layer.tar symlinks to top-level blobs)
#   OUTDIR/multi.oci.tar        skopeo oci-archive (index.json only, gzip layers)
#   OUTDIR/multi-zstd.oci.tar   skopeo oci-archive of the zstd layout
#   OUTDIR/second.docker.tar, OUTDIR/second.oci.tar
#   OUTDIR/oci:kaniko           2 layers with absolute names, as kaniko and GNU tar -P write them
#   OUTDIR/kaniko.docker.tar, OUTDIR/kaniko.oci.tar
#   OUTDIR/oracle/multi, OUTDIR/oracle/second, OUTDIR/oracle/kaniko   `umoci unpack --rootless` of each image
# "multi" covers: several layers, a deleted file, a deleted directory, an opaque directory, a
# hardlink within a layer and one across layers, a symlink target over 100 bytes (PAX), a file
# replaced by a symlink, setuid and odd modes, a fifo, an empty directory.
# umoci's diff never emits opaque whiteouts or cross-layer hardlinks, so those two layers are
# written with Python's tarfile and added verbatim with `umoci raw add-layer`.
# Usage: make-test-images.sh OUTDIR
set -euo pipefail
out=${1:?usage: make-test-images.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

umoci init --layout "$out/oci"
umoci new --image "$out/oci:multi"
umoci config --image "$out/oci:multi" --config.env PATH=/usr/bin:/bin --config.env GREETING=hello \
  --config.entrypoint /bin/echo --config.cmd hi --config.workingdir /srv --config.user 1000:1000 \
  --config.exposedports 8080/tcp --config.label org.example=multi

# Layer 1: the base tree.
umoci unpack --image "$out/oci:multi" b1 >/dev/null
r=b1/rootfs
mkdir -p $r/etc $r/usr/bin $r/olddir/sub $r/opq/sub $r/data $r/empty $r/srv
echo root-owned > $r/etc/passwd
echo gone > $r/etc/deleteme
echo will-be-symlink > $r/etc/replaced
printf '#!/bin/sh\necho tool\n' > $r/usr/bin/tool && chmod 0755 $r/usr/bin/tool
echo suid > $r/usr/bin/suid && chmod 4755 $r/usr/bin/suid
echo secret > $r/etc/secret && chmod 0600 $r/etc/secret
echo a > $r/olddir/a && echo b > $r/olddir/sub/b
echo lower-a > $r/opq/a && echo lower-c > $r/opq/sub/c
head -c 200000 /dev/urandom > $r/data/big
ln $r/data/big $r/data/big-same-layer
long=$(printf 'x%.0s' $(seq 1 150))
mkdir -p "$r/deep/$long"
echo far > "$r/deep/$long/target"
ln -s "/deep/$long/target" $r/longlink
mkfifo $r/fifo
chmod 0750 $r/srv
umoci repack --image "$out/oci:multi" b1 >/dev/null

# Layer 2: deletions and a file replaced by a symlink, computed by umoci's diff.
umoci unpack --image "$out/oci:multi" b2 >/dev/null
r=b2/rootfs
rm $r/etc/deleteme
rm -r $r/olddir
rm $r/etc/replaced && ln -s passwd $r/etc/replaced
echo new-in-layer-2 > $r/etc/added
umoci repack --image "$out/oci:multi" b2 >/dev/null

# Layer 3: an opaque directory and a hardlink to a file of layer 1 (crafted, see above).
python3 - "$work/l3.tar" <<'PY'
import io, sys, tarfile, time
def add(t, name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = mode; i.mtime = int(time.time()); i.linkname = link
    if kind == tarfile.REGTYPE: i.size = len(data); t.addfile(i, io.BytesIO(data))
    else: t.addfile(i)
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "opq/", tarfile.DIRTYPE, mode=0o755)
    add(t, "opq/new", data=b"upper\n")
    add(t, "opq/.wh..wh..opq")
    add(t, "data/link-across", tarfile.LNKTYPE, link="data/big")
    add(t, ".wh..wh..plnk", tarfile.DIRTYPE, mode=0o700)
PY
umoci raw add-layer --image "$out/oci:multi" "$work/l3.tar"

# Layer 4: a whiteout listed before a same-layer entry of the same name (it must not remove it).
python3 - "$work/l4.tar" <<'PY'
import io, sys, tarfile, time
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("etc/.wh.added", None), ("etc/added", b"replaced-in-layer-4\n"), ("opq/sub2/.wh..wh..opq", None)):
        i = tarfile.TarInfo(name); i.mtime = int(time.time()); i.mode = 0o644
        if data is None: t.addfile(i)
        else: i.size = len(data); t.addfile(i, io.BytesIO(data))
PY
umoci raw add-layer --image "$out/oci:multi" "$work/l4.tar"

# A second image, for archives holding two.
umoci new --image "$out/oci:second"
umoci unpack --image "$out/oci:second" s1 >/dev/null
mkdir -p s1/rootfs/etc && echo second > s1/rootfs/etc/second
umoci repack --image "$out/oci:second" s1 >/dev/null
# kaniko's layers: a "/" entry first (the root's metadata), then absolute names and an absolute
# hardlink target (Python's tarfile writes names as given); a second layer from GNU tar -P
# with a whiteout that names its victim absolutely.
umoci new --image "$out/oci:kaniko"
python3 - "$work/k1.tar" <<'PY'
import io, sys, tarfile
def add(t, name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = mode; i.mtime = 1700000000; i.linkname = link
    if kind == tarfile.REGTYPE: i.size = len(data); t.addfile(i, io.BytesIO(data))
    else: t.addfile(i)
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "/", tarfile.DIRTYPE, mode=0o755)
    add(t, "/etc/", tarfile.DIRTYPE, mode=0o755)
    add(t, "/etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n")
    add(t, "/etc/gone", data=b"removed by layer 2\n")
    add(t, "//etc//os-release", data=b"ID=kaniko\n")
    add(t, "/etc/passwd-", tarfile.LNKTYPE, link="/etc/passwd")
    add(t, "/bin/", tarfile.DIRTYPE, mode=0o755)
    add(t, "/bin/tool", data=b"#!/bin/sh\n", mode=0o4755)
    add(t, "/bin/sh", tarfile.SYMTYPE, link="/bin/tool")
    add(t, "app/", tarfile.DIRTYPE, mode=0o750)
PY
umoci raw add-layer --image "$out/oci:kaniko" "$work/k1.tar"
mkdir -p k2/usr/lib k2/etc
echo lib > k2/usr/lib/libk.so && ln -s libk.so k2/usr/lib/libk.so.1
touch k2/etc/.wh.gone
tar --numeric-owner --owner=0 --group=0 --mtime=@1700000000 -P --transform 's,^\.,,' -C k2 -cf "$work/k2.tar" . 2>/dev/null
umoci raw add-layer --image "$out/oci:kaniko" "$work/k2.tar"
umoci gc --layout "$out/oci"

# zstd copy of "multi": recompress each layer blob and rewrite manifest and index digests.
cp -r "$out/oci" "$out/oci-zstd"
z="$out/oci-zstd"
mdigest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="multi") | .digest' "$z/index.json")
manifest=$(cat "$z/blobs/sha256/${mdigest#sha256:}")
for d in $(jq -r '.layers[].digest' <<<"$manifest"); do
  gzip -dc "$z/blobs/sha256/${d#sha256:}" | zstd -q -c > "$work/layer.zst"
  nd=$(sha256sum "$work/layer.zst" | cut -d' ' -f1)
  ns=$(stat -c %s "$work/layer.zst")
  mv "$work/layer.zst" "$z/blobs/sha256/$nd"
  manifest=$(jq -c --arg old "$d" --arg new "sha256:$nd" --argjson size "$ns" \
    '(.layers[] | select(.digest==$old)) |= (.digest=$new | .size=$size | .mediaType="application/vnd.oci.image.layer.v1.tar+zstd")' <<<"$manifest")
done
printf '%s' "$manifest" > "$work/manifest.json"
nm=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
cp "$work/manifest.json" "$z/blobs/sha256/$nm"
jq -c --arg old "$mdigest" --arg new "sha256:$nm" --argjson size "$(stat -c %s "$work/manifest.json")" \
  '.manifests |= map(select(.annotations["org.opencontainers.image.ref.name"]=="multi") | if .digest==$old then .digest=$new | .size=$size else . end)' \
  "$z/index.json" > "$work/index.json"
mv "$work/index.json" "$z/index.json"

for tag in multi second kaniko; do
  skopeo copy -q "oci:$out/oci:$tag" "docker-archive:$out/$tag.docker.tar:example.com/test/$tag:latest"
  skopeo copy -q "oci:$out/oci:$tag" "oci-archive:$out/$tag.oci.tar:$tag"
  rm -rf "$work/oracle-$tag"
  umoci unpack --rootless --image "$out/oci:$tag" "$work/oracle-$tag" >/dev/null
  mkdir -p "$out/oracle"
  rm -rf "$out/oracle/$tag"
  mv "$work/oracle-$tag/rootfs" "$out/oracle/$tag"
done
skopeo copy -q "oci:$out/oci-zstd:multi" "oci-archive:$out/multi-zstd.oci.tar:multi"
echo "test images in $out" >&2
