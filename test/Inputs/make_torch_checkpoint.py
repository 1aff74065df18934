#!/usr/bin/env python3
"""Writes a checkpoint directory whose weights are a pytorch_model.bin, as
torch.save writes a state dict, from one with a model.safetensors. No torch:
the archive and the pickle are written the way torch.save writes them (a
stored zip; pickle protocol 2; tensors as torch._utils._rebuild_tensor_v2
over persistent storage ids), with stand-ins for torch's classes.

Usage: make_torch_checkpoint.py SRC_DIR DST_DIR [edits...]
  --bf16               store every float tensor as BF16
  --view NAME          store NAME transposed, as a non-contiguous view
  --global MOD.NAME    add an entry whose value is that global (e.g. os.system)
  --missing-storage    point one tensor at a storage the archive lacks
  --truncate N         cut the file to N bytes
  --shared A B         store tensor B as a second view of A's storage
  --shards N           split the state dict into N files pytorch_model-0000K-of-0000N.bin
                       with a pytorch_model.bin.index.json, as save_pretrained shards
"""
import collections
import io
import json
import pickle
import shutil
import struct
import sys
import types
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_checkpoint import read_safetensors, to_bf16  # noqa: E402

# Stand-ins for the torch names a pickled state dict refers to.
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, torch_utils


def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
STORAGE_TYPES = {}
for dtype, cls in [("F32", "FloatStorage"), ("BF16", "BFloat16Storage"), ("F16", "HalfStorage"),
                   ("I64", "LongStorage")]:
    t = type(cls, (), {"__module__": "torch"})
    setattr(torch, cls, t)
    STORAGE_TYPES[dtype] = t
SIZES = {"F32": 4, "BF16": 2, "F16": 2, "I64": 8}


class Storage:
    def __init__(self, key, dtype, data):
        self.key, self.dtype, self.data = key, dtype, data


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.size),
                                     tuple(self.stride), False, collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", STORAGE_TYPES[obj.dtype], obj.key, "cpu",
                    len(obj.data) // SIZES[obj.dtype])
        return None


def contiguous_strides(shape):
    strides, step = [], 1
    for d in reversed(shape):
        strides.insert(0, step)
        step *= d
    return strides


def main(argv):
    src, dst = Path(argv[1]), Path(argv[2])
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json"):
        if (src / name).exists():
            shutil.copy(src / name, dst / name)
    _, tensors = read_safetensors(src / "model.safetensors")
    args, bf16, views, globals_, missing, truncate, shared = argv[3:], False, [], [], False, None, []
    shards = 1
    while args:
        op = args.pop(0)
        if op == "--bf16":
            bf16 = True
        elif op == "--view":
            views.append(args.pop(0))
        elif op == "--global":
            globals_.append(args.pop(0))
        elif op == "--missing-storage":
            missing = True
        elif op == "--truncate":
            truncate = int(args.pop(0))
        elif op == "--shards":
            shards = int(args.pop(0))
        elif op == "--shared":
            shared.append((args.pop(0), args.pop(0)))
        else:
            sys.exit("unknown edit " + op)

    state, storages = collections.OrderedDict(), {}
    for i, (name, (dtype, shape, blob)) in enumerate(tensors.items()):
        if bf16 and dtype == "F32":
            dtype, blob = "BF16", to_bf16(blob)
        stride = contiguous_strides(shape)
        if name in views and len(shape) == 2:
            # Store the transpose; describe the original as a strided view.
            rows, cols, size = shape[0], shape[1], SIZES[dtype]
            t = bytearray(len(blob))
            for r in range(rows):
                for c in range(cols):
                    t[(c * rows + r) * size:(c * rows + r + 1) * size] = \
                        blob[(r * cols + c) * size:(r * cols + c + 1) * size]
            blob, stride = bytes(t), [1, rows]
        storage = Storage(str(i), dtype, blob)
        storages[storage.key] = storage
        state[name] = Tensor(storage, 0, shape, stride)
    for a, b in shared:
        state[b] = Tensor(state[a].storage, 0, state[a].size, state[a].stride)
    if missing:
        first = next(iter(state))
        state[first] = Tensor(Storage("999", "F32", b"\0" * 4), 0, [1], [1])
    for g in globals_:
        module, _, attr = g.rpartition(".")
        mod = sys.modules.setdefault(module, types.ModuleType(module))
        fn = types.FunctionType((lambda: None).__code__, {}, attr)
        fn.__module__, fn.__qualname__ = module, attr
        setattr(mod, attr, fn)
        state["evil"] = fn
    if shards == 1:
        path = dst / "pytorch_model.bin"
        write_archive(path, state, storages, missing)
        if truncate is not None:
            path.write_bytes(path.read_bytes()[:truncate])
        return
    names, weight_map = list(state), {}
    for k in range(shards):
        part = collections.OrderedDict((n, state[n]) for n in names[k::shards])
        file = f"pytorch_model-{k + 1:05d}-of-{shards:05d}.bin"
        keys = {t.storage.key for t in part.values() if hasattr(t, "storage")}
        write_archive(dst / file, part, {key: storages[key] for key in keys}, missing)
        weight_map.update((n, file) for n in part)
    (dst / "pytorch_model.bin.index.json").write_text(
        json.dumps({"metadata": {"total_size": 0}, "weight_map": weight_map}, indent=2))


def write_archive(path, state, storages, missing):
    """A torch.save zip of |state|, which references |storages|."""
    state._metadata = collections.OrderedDict({"": {"version": 1}})
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(state)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("pytorch_model/data.pkl", buf.getvalue())
        z.writestr("pytorch_model/byteorder", "little")
        for key in sorted(storages):
            if not (missing and key == "999"):
                z.writestr(f"pytorch_model/data/{key}", storages[key].data)
        z.writestr("pytorch_model/version", "3\n")

if __name__ == "__main__":
    main(sys.argv)
