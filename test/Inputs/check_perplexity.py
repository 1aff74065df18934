#!/usr/bin/env python3
"""Checks `ssmc perplexity --json` against the NLL computed from logits.

usage: check_perplexity.py SSMC MODEL WEIGHTS TEXT CTX RESULT.json WORKDIR

For each window of CTX byte tokens of TEXT (a byte-level tokenizer: ids are
the UTF-8 bytes) it runs `ssmc run MODEL --weights WEIGHTS --prompt-ids ...
-n 0 --dump-logits`, computes -log softmax(logits[t])[next byte] in float64,
and compares the mean with RESULT's nll_per_token (relative 1e-5) and the
counts. Prints "ok: ..." or exits non-zero.
"""
import json
import math
import os
import struct
import subprocess
import sys


def read_logits(path):
    """The 'logits' tensor (float32) of a safetensors file: shape, values."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    info = json.loads(raw[8:8 + n])["logits"]
    b, e = info["data_offsets"]
    return info["shape"], [v for (v,) in struct.iter_unpack("<f", raw[8 + n + b:8 + n + e])]


ssmc, model, weights, text, ctx, result, work = sys.argv[1:8]
ctx = int(ctx)
ids = list(open(text, "rb").read())
windows = (len(ids) - 1) // ctx
got = json.load(open(result))
nll, count = 0.0, 0
for w in range(windows):
    window = ids[w * ctx:(w + 1) * ctx]
    out = os.path.join(work, "w%d.safetensors" % w)
    subprocess.run([ssmc, "run", model, "--weights", weights, "--prompt-ids",
                    ",".join(map(str, window)), "-n", "0", "-q", "--dump-logits", out], check=True)
    shape, logits = read_logits(out)
    vocab = shape[1]
    for t in range(ctx):
        row = logits[t * vocab:(t + 1) * vocab]
        m = max(row)
        lse = m + math.log(sum(math.exp(v - m) for v in row))
        nll += lse - row[ids[w * ctx + t + 1]]
        count += 1
want = nll / count
if got["windows"] != windows or got["tokens"] != count or got["bytes"] != count:
    sys.exit("counts differ: %s vs windows %d, tokens %d" % (got, windows, count))
err = abs(got["nll_per_token"] - want) / want
if not err <= 1e-5:
    sys.exit("nll_per_token %r vs %r from the logits (relative %.2g)" % (got["nll_per_token"], want, err))
print("ok: %d windows, nll %.6f vs %.6f from the logits" % (windows, got["nll_per_token"], want))
