#!/usr/bin/env python3
"""Runs an artifact with single bytes changed and checks how each run ends.

usage: flip_artifact.py ARTIFACT WORK_DIR COUNT SEED -- COMMAND...

COMMAND runs the artifact; '{}' in it stands for the artifact's path. First
the intact artifact runs and its output is kept. Then COUNT times one byte
at a random position (seeded) is XORed with a random non-zero mask and the
command runs on that copy. Each run must end with exit 0 and the intact
output, or exit 1 with one message on stderr that names the file; a signal,
another exit code or a silent wrong answer fails. Prints
"N runs: A rejected, B unchanged" and exits 1 on any failure.
"""
import os
import random
import subprocess
import sys

artifact, work, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
command = sys.argv[sys.argv.index("--") + 1:]
os.makedirs(work, exist_ok=True)


def run(path):
    argv = [a.replace("{}", path) for a in command]
    return subprocess.run(argv, capture_output=True, text=True, errors="replace")


intact = run(artifact)
if intact.returncode != 0:
    sys.exit("the intact artifact fails: " + intact.stderr)
data = open(artifact, "rb").read()
rng = random.Random(seed)
rejected = unchanged = 0
failures = []
path = os.path.join(work, "flipped.ssmx")
for i in range(count):
    pos, mask = rng.randrange(len(data)), rng.randrange(1, 256)
    flipped = bytearray(data)
    flipped[pos] ^= mask
    open(path, "wb").write(flipped)
    p = run(path)
    what = "byte %d ^ 0x%02x" % (pos, mask)
    if p.returncode == 0 and p.stdout == intact.stdout:
        unchanged += 1
    elif p.returncode == 1 and "flipped.ssmx" in p.stderr and p.stderr.count("\n") == 1:
        rejected += 1
    else:
        failures.append("%s: exit %d, stderr %r" % (what, p.returncode, p.stderr[-300:]))
print("%d runs: %d rejected, %d unchanged" % (count, rejected, unchanged))
for f in failures[:10]:
    print("FAILED: " + f)
sys.exit(1 if failures else 0)
