#!/usr/bin/env python3
"""Writes the benchmark's layer tars: 5 layers, about 300 MB in 32,000+ files, half of the
content random (incompressible) and half text-like, with a few whiteouts in the last layer.
Usage: make-image.py OUTDIR  (writes OUTDIR/layer1.tar .. layer5.tar)"""
import io, os, random, sys, tarfile

out = sys.argv[1]
rng = random.Random(42)
words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(2000)]

def content(size):
    if rng.random() < 0.5:
        return rng.randbytes(size)
    buf = bytearray()
    while len(buf) < size:
        buf += rng.choice(words) + b" "
    return bytes(buf[:size])

for layer in range(1, 6):
    with tarfile.open(os.path.join(out, f"layer{layer}.tar"), "w", format=tarfile.PAX_FORMAT) as t:
        seen_dirs = set()
        def add_dir(d):
            if d in seen_dirs or d == "":
                return
            add_dir(os.path.dirname(d))
            i = tarfile.TarInfo(d + "/"); i.type = tarfile.DIRTYPE; i.mode = 0o755; i.mtime = 1700000000
            t.addfile(i); seen_dirs.add(d)
        for n in range(6500):
            d = f"usr/share/l{layer}/d{n // 100}"
            add_dir(d)
            size = rng.randint(200, 8000) if n % 16 else rng.randint(40000, 160000)
            data = content(size)
            i = tarfile.TarInfo(f"{d}/f{n}"); i.size = len(data); i.mode = 0o644; i.mtime = 1700000000
            t.addfile(i, io.BytesIO(data))
        if layer == 5:
            for n in range(0, 6500, 50):
                i = tarfile.TarInfo(f"usr/share/l1/d{n // 100}/.wh.f{n}"); i.mtime = 1700000000
                t.addfile(i)
