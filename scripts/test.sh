#!/usr/bin/env bash
# The README's second command: build and run every test (GoogleTest units,
# lit, fuzz smoke runs) through ctest, then build the runtime alone (no MLIR
# or LLVM, as a GPU machine builds it) and run its tests there too. Ends
# with one line "N passed, N failed" over both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build="${SSMC_BUILD_DIR:-build}"
runtime_build="${SSMC_RUNTIME_BUILD_DIR:-build-runtime}"
status=0

# run_ctest DIR LABEL: runs ctest in DIR; adds its counts to the totals.
passed=0
failed=0
run_ctest() {
  set +e
  ctest --test-dir "$1" --output-on-failure -j2 2>&1 | tee "$1/ctest.log"
  local code=${PIPESTATUS[0]}
  set -e
  local total fail
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$1/ctest.log")
  fail=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$1/ctest.log")
  echo "$2: $((${total:-0} - ${fail:-0})) passed, ${fail:-0} failed"
  passed=$((passed + ${total:-0} - ${fail:-0}))
  failed=$((failed + ${fail:-0}))
  if [ "$code" -ne 0 ] || [ -z "$total" ]; then status=1; fi
}

run_ctest "$build" "compiler and runtime"

echo "== the runtime alone (-DSSMC_RUNTIME_ONLY=ON) in $runtime_build"
cmake -S . -B "$runtime_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSMC_RUNTIME_ONLY=ON >/dev/null
cmake --build "$runtime_build"
run_ctest "$runtime_build" "runtime alone"

echo "$passed passed, $failed failed"
exit "$status"
