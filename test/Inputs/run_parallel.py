#!/usr/bin/env python3
"""Starts N copies of a command at once and checks they agree.

usage: run_parallel.py N -- COMMAND...

Every copy must exit 0 with the same stdout. Prints "N runs, one output"
or what differed, and exits 1 on any difference.
"""
import subprocess
import sys

n = int(sys.argv[1])
command = sys.argv[sys.argv.index("--") + 1:]
procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
         for _ in range(n)]
results = [p.communicate() + (p.returncode,) for p in procs]
bad = [(i, r) for i, r in enumerate(results) if r[2] != 0 or r[0] != results[0][0]]
if bad:
    for i, (out, err, code) in bad:
        print("run %d: exit %d, stderr %r" % (i, code, err[-300:]))
    sys.exit(1)
print("%d runs, one output" % n)
