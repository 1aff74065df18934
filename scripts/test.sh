#!/usr/bin/env bash
# The README's second command: build and run every test (GoogleTest units,
# lit, fuzz smoke runs) through ctest. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build="${SSMC_BUILD_DIR:-build}"
set +e
ctest --test-dir "$build" --output-on-failure -j2 2>&1 | tee "$build/ctest.log"
status=${PIPESTATUS[0]}
set -e
total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$build/ctest.log")
failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$build/ctest.log")
echo "$((${total:-0} - ${failed:-0})) passed, ${failed:-0} failed"
exit "$status"
