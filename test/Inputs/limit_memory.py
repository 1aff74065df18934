#!/usr/bin/env python3
"""Runs a command with its address space limited (RLIMIT_AS).

Usage: limit_memory.py MIB COMMAND [ARGS...]; exits with the command's code
(a signal N as 128 + N).
"""
import resource
import subprocess
import sys

limit = int(sys.argv[1]) << 20
code = subprocess.call(sys.argv[2:],
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
sys.exit(128 - code if code < 0 else code)
