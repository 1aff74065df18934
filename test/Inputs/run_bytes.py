#!/usr/bin/env python3
"""Runs a command whose arguments may contain raw bytes written as \\xNN.

Usage: run_bytes.py COMMAND [ARGS...]; exits with the command's code.
"""
import os
import re
import subprocess
import sys

def decode(arg):
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), os.fsencode(arg))

sys.exit(subprocess.run([decode(a) for a in sys.argv[1:]]).returncode)
