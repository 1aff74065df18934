#!/usr/bin/env python3
"""Runs a command and fails if its peak resident memory exceeds a limit.

Usage: peak_memory.py MAX_MIB COMMAND [ARGS...]
Passes the command's output through; exits with its exit code, or 1 (with a
line saying the peak) when the peak resident set size is above MAX_MIB.
"""
import resource
import subprocess
import sys

limit = float(sys.argv[1])
code = subprocess.call(sys.argv[2:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0  # KiB on Linux
if peak > limit:
    print(f"peak_memory: {peak:.0f} MiB, more than {limit:.0f} MiB", file=sys.stderr)
    sys.exit(1)
sys.exit(code)
