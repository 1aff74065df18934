#!/usr/bin/env python3
"""Runs a command and fails unless it exits with the given code.

Usage: expect_exit.py CODE COMMAND [ARGS...]
stdout and stderr pass through, so the output can be piped to FileCheck.
A signal (crash) never matches.
"""
import subprocess
import sys

code = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:])
if proc.returncode != code:
    sys.stderr.write(f"expect_exit: {sys.argv[2]} exited with {proc.returncode}, expected {code}\n")
    sys.exit(1)
