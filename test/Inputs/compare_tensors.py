#!/usr/bin/env python3
"""Compares every float32 tensor of two safetensors files.

Usage: compare_tensors.py A B TOLERANCE
Both files must hold the same tensor names and shapes. Fails unless, per
tensor, max|a - b| / max|b| <= TOLERANCE and nothing is NaN; prints one line
per tensor.
"""
import json
import math
import struct
import sys


def read(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    tensors = {}
    for name, info in json.loads(raw[8:8 + n]).items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        fmt = "<f" if info["dtype"] == "F32" else "<i"
        tensors[name] = (info["shape"], [v for (v,) in struct.iter_unpack(fmt, raw[8 + n + b:8 + n + e])])
    return tensors


a, b = read(sys.argv[1]), read(sys.argv[2])
tol = float(sys.argv[3])
if sorted(a) != sorted(b):
    sys.exit("tensors differ: %s vs %s" % (sorted(a), sorted(b)))
ok = True
for name in sorted(a):
    (sa, va), (sb, vb) = a[name], b[name]
    if sa != sb:
        sys.exit("%s: shapes differ: %s vs %s" % (name, sa, sb))
    if any(math.isnan(x) for x in va + vb):
        print("%s: NaN" % name)
        ok = False
        continue
    scale = max(abs(y) for y in vb) or 1.0
    err = max(abs(x - y) for x, y in zip(va, vb)) / scale
    print("%s %s: relative difference %.3g (tolerance %g)" % (name, sa, err, tol))
    ok &= err <= tol
sys.exit(0 if ok else 1)
