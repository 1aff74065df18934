#!/usr/bin/env python3
"""Checks in compile_commands.json that the runtime was compiled without LLVM.

usage: check-runtime-split.py BUILD/compile_commands.json SOURCE_DIR

Every source under runtime/, tools/cli/ and tools/ssmc-run/ (and the
runtime's tests) must be compiled without LLVM's or MLIR's include paths,
definitions and flags, so that a stray #include "llvm/..." fails to build.
Prints one line per offending source and exits 1, else a summary line.
"""
import json
import os
import sys

RUNTIME = ("runtime/", "tools/cli/", "tools/ssmc-run/", "test/cudaemu/", "test/gpu/",
           "test/unit/runtime/", "test/unit/reference/")
# What LLVM's CMake (HandleLLVMOptions, LLVM_DEFINITIONS, its include
# directories) adds to a compile command.
LLVM_MARKS = ("llvm-19/include", "/mlir/", "-D__STDC_CONSTANT_MACROS", "-fno-lifetime-dse",
              "-Wno-class-memaccess")

commands, source = sys.argv[1], os.path.realpath(sys.argv[2])
bad = checked = 0
for entry in json.load(open(commands)):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, source)
    if not rel.startswith(RUNTIME):
        continue
    command = entry.get("command") or " ".join(entry.get("arguments", []))
    marks = [m for m in LLVM_MARKS if m in command]
    checked += 1
    if marks:
        bad += 1
        print("%s is compiled with LLVM's flags: %s" % (rel, ", ".join(marks)))
if checked == 0:
    print("no runtime sources in %s" % commands)
    sys.exit(1)
print("%d runtime sources compiled without LLVM flags, %d with" % (checked - bad, bad))
sys.exit(1 if bad else 0)
