#!/usr/bin/env bash
# Regenerates the dialect and pass reference pages from ODS into docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${SSMC_BUILD_DIR:-build}"
cmake --build "$build" --target mlir-doc
cp "$build/docs/Dialects/SSMDialect.md" docs/dialect.md
cp "$build/docs/SSMPasses.md" docs/passes.md
cp "$build/docs/SSMCPUPasses.md" docs/cpu-passes.md
cp "$build/docs/SSMCUDAPasses.md" docs/cuda-passes.md
