#!/usr/bin/env python3
"""Writes a modified copy of a Hugging Face checkpoint, for bad-input tests.

Usage: make_checkpoint.py SRC_DIR DST_DIR [edits...]
  --drop NAME              remove a tensor
  --rename OLD NEW         rename a tensor
  --shape NAME D0,D1,..    declare another shape (the data range is adjusted)
  --dtype NAME DTYPE       declare another dtype (e.g. I64), same bytes
  --bf16                   store every tensor as BF16 (round to nearest even)
  --f16                    store every tensor as IEEE F16 (round to nearest even)
  --overlap A B            make tensor B's data range overlap A's
  --offset-past-end NAME   point a tensor's data past the end of the file
  --header-too-large       declare a header longer than the file
  --truncate N             cut the weights file to N bytes
  --set NAME INDEX VALUE   set element INDEX of an F32 or BF16 tensor to VALUE
                           (a number, nan, inf or -inf)
  --config KEY=JSON        set a config.json key ('KEY=' removes it)
  --original-config        replace config.json by an original mamba_ssm one
Only the standard library is used (struct, json).
"""
import json
import shutil
import struct
import sys
from pathlib import Path


def read_safetensors(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        tensors[name] = [info["dtype"], info["shape"], data[b:e]]
    return meta, tensors


def to_bf16(blob):
    out = bytearray()
    for (bits,) in struct.iter_unpack("<I", blob):
        rounding = 0x7FFF + ((bits >> 16) & 1)
        out += struct.pack("<H", ((bits + rounding) >> 16) & 0xFFFF)
    return bytes(out)


def to_f16(blob):
    values = struct.unpack("<%df" % (len(blob) // 4), blob)
    return struct.pack("<%de" % len(values), *values)


def write_safetensors(path, meta, tensors, tweak_header=None):
    header, blobs, offset = {}, [], 0
    if meta is not None:
        header["__metadata__"] = meta
    for name, (dtype, shape, blob) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if tweak_header:
        tweak_header(header, offset)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main(argv):
    src, dst = Path(argv[1]), Path(argv[2])
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    meta, tensors = read_safetensors(src / "model.safetensors")
    config = json.loads((src / "config.json").read_text())
    tweaks, truncate, header_too_large = [], None, False
    args = argv[3:]
    while args:
        op = args.pop(0)
        if op == "--drop":
            del tensors[args.pop(0)]
        elif op == "--rename":
            old, new = args.pop(0), args.pop(0)
            tensors[new] = tensors.pop(old)
        elif op == "--shape":
            name, shape = args.pop(0), [int(d) for d in args.pop(0).split(",")]
            count = 1
            for d in shape:
                count *= d
            tensors[name][1] = shape
            tensors[name][2] = (tensors[name][2] * 2)[: count * 4]
        elif op == "--dtype":
            name = args.pop(0)
            tensors[name][0] = args.pop(0)
        elif op == "--bf16":
            for t in tensors.values():
                t[0], t[2] = "BF16", to_bf16(t[2])
        elif op == "--f16":
            for t in tensors.values():
                t[0], t[2] = "F16", to_f16(t[2])
        elif op == "--overlap":
            a, b = args.pop(0), args.pop(0)
            tweaks.append(lambda h, end, a=a, b=b: h[b].__setitem__(
                "data_offsets", [h[a]["data_offsets"][0], h[a]["data_offsets"][0] +
                                 h[b]["data_offsets"][1] - h[b]["data_offsets"][0]]))
        elif op == "--offset-past-end":
            name = args.pop(0)
            tweaks.append(lambda h, end, name=name: h[name].__setitem__(
                "data_offsets", [end + 16, end + 16 + h[name]["data_offsets"][1] -
                                 h[name]["data_offsets"][0]]))
        elif op == "--set":
            name, index, value = args.pop(0), int(args.pop(0)), float(args.pop(0))
            dtype, _, blob = tensors[name]
            size = {"F32": 4, "BF16": 2}[dtype]
            packed = struct.pack("<f", value)[4 - size:]
            tensors[name][2] = blob[:index * size] + packed + blob[(index + 1) * size:]
        elif op == "--header-too-large":
            header_too_large = True
        elif op == "--truncate":
            truncate = int(args.pop(0))
        elif op == "--config":
            key, _, value = args.pop(0).partition("=")
            if value:
                config[key] = json.loads(value)
            else:
                config.pop(key, None)
        elif op == "--original-config":
            config = {"d_model": config["hidden_size"], "n_layer": config["num_hidden_layers"],
                      "vocab_size": config["vocab_size"], "ssm_cfg": {}, "rms_norm": True,
                      "residual_in_fp32": True, "fused_add_norm": True,
                      "pad_vocab_size_multiple": 8}
        else:
            sys.exit("unknown edit " + op)
    path = dst / "model.safetensors"
    write_safetensors(path, meta, tensors,
                      (lambda h, end: [t(h, end) for t in tweaks]) if tweaks else None)
    if header_too_large:
        raw = bytearray(path.read_bytes())
        raw[:8] = struct.pack("<Q", len(raw) * 2)
        path.write_bytes(bytes(raw))
    if truncate is not None:
        path.write_bytes(path.read_bytes()[:truncate])
    (dst / "config.json").write_text(json.dumps(config, indent=2))


if __name__ == "__main__":
    main(sys.argv)
