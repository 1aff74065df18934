#!/usr/bin/env python3
"""Compares the 'logits' tensors of two safetensors files (float32).

Usage: compare_logits.py A B TOLERANCE [--shape T,V]
Fails unless max|a - b| / max|b| <= TOLERANCE and nothing is NaN; prints the
ratio. With --shape, also checks A's shape.
"""
import json
import math
import struct
import sys


def read_logits(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    info = json.loads(raw[8:8 + n])["logits"]
    assert info["dtype"] == "F32", info
    b, e = info["data_offsets"]
    data = raw[8 + n + b:8 + n + e]
    return info["shape"], [v for (v,) in struct.iter_unpack("<f", data)]


shape_a, a = read_logits(sys.argv[1])
shape_b, b = read_logits(sys.argv[2])
tol = float(sys.argv[3])
if len(sys.argv) > 5 and sys.argv[4] == "--shape":
    want = [int(d) for d in sys.argv[5].split(",")]
    if shape_a != want:
        sys.exit(f"shape {shape_a}, expected {want}")
if shape_a != shape_b:
    sys.exit(f"shapes differ: {shape_a} vs {shape_b}")
if any(math.isnan(x) for x in a + b):
    sys.exit("NaN in the logits")
err = max(abs(x - y) for x, y in zip(a, b)) / max(abs(y) for y in b)
print(f"relative difference {err:.3g} (tolerance {tol:g})")
sys.exit(0 if err <= tol else 1)
