#!/usr/bin/env bash
# Configures (Release) and builds ssmc into build/ (or $SSMC_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${SSMC_BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir >/dev/null
cmake --build "$build"
