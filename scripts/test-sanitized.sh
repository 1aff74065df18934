#!/usr/bin/env bash
# Builds the compiler, runtime and tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DSSMC_SANITIZE=address,undefined) into
# build-asan/ (or $SSMC_ASAN_BUILD_DIR) and runs every test there; any
# sanitizer report fails the test that caused it. The fuzz targets are left
# out: they are sanitized builds of their own, run by scripts/test.sh. Ends
# with one line "N passed, N failed". Run after scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${SSMC_ASAN_BUILD_DIR:-build-asan}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir -DSSMC_SANITIZE=address,undefined \
  -DSSMC_BUILD_FUZZERS=OFF >/dev/null
cmake --build "$build"
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons its slabs in the
# instrumented copies of its inline code and unpoisons them in the
# uninstrumented ones of Debian's MLIR libraries; mixing the two reports
# false use-after-poison errors. alloc_dealloc_mismatch=0: MLIR's
# PatternApplicator (a std::stable_sort buffer inside Debian's clang-built
# libraries) allocates with operator new and frees with free.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:allow_user_poisoning=0:alloc_dealloc_mismatch=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
set +e
ctest --test-dir "$build" --output-on-failure -j2 2>&1 | tee "$build/ctest.log"
code=${PIPESTATUS[0]}
set -e
total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$build/ctest.log")
fail=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$build/ctest.log")
echo "$((${total:-0} - ${fail:-0})) passed, ${fail:-0} failed"
[ "$code" -eq 0 ] && [ -n "$total" ]
