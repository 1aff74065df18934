#!/usr/bin/env python3
"""Writes a safetensors file of seeded random float32 (or int32) tensors.

Usage: make_tensors.py OUT SEED NAME=SHAPE[:LO:HI] ... [NAME=SHAPE:int:VALUE]
  SHAPE is D0xD1x...; values are uniform in [LO, HI) (default [-1, 1));
  ":int:V" makes an int32 tensor filled with V.
Only the standard library is used.
"""
import json
import random
import struct
import sys

out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
header, blobs, offset = {}, [], 0
for spec in sys.argv[3:]:
    name, rest = spec.split("=", 1)
    parts = rest.split(":")
    shape = [int(d) for d in parts[0].split("x")]
    count = 1
    for d in shape:
        count *= d
    if len(parts) == 3 and parts[1] == "int":
        blob = struct.pack("<%di" % count, *([int(parts[2])] * count))
        dtype = "I32"
    else:
        lo, hi = (float(parts[1]), float(parts[2])) if len(parts) == 3 else (-1.0, 1.0)
        blob = struct.pack("<%df" % count, *[rng.uniform(lo, hi) for _ in range(count)])
        dtype = "F32"
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
