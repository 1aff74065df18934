#!/bin/bash
# Runs every fuzz target for RUNS executions (default 1,000,000), one after
# another, starting from its committed corpus (fuzz/corpus/<name>), then
# merges what it found into that corpus: -merge=1 adds only the inputs that
# reach coverage the corpus does not, the smallest of them first (the named
# seeds stay). Prints one line per target:
# executions, seconds, coverage (edges) and features, and corpus size.
#
#   scripts/fuzz-long.sh [RUNS] [TARGET...]      (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model-file json safetensors checkpoint-config tokenizer artifact)
work=${FUZZ_WORK:-build/fuzz/long}
for t in "${targets[@]}"; do
  bin=build/fuzz/fuzz-$t
  [ -x "$bin" ] || { echo "fuzz-long: $bin not built (run scripts/build.sh)" >&2; exit 1; }
  # The tokenizer's work grows with the input; longer inputs find nothing new.
  maxlen=65536
  [ "$t" = tokenizer ] && maxlen=4096
  rm -rf "$work/$t" && mkdir -p "$work/$t"
  start=$(date +%s)
  ASAN_OPTIONS=detect_leaks=1 "$bin" -runs="$runs" -max_len=$maxlen -timeout=10 \
    -print_final_stats=1 "$work/$t" "fuzz/corpus/$t" > "$work/$t.log" 2>&1 || {
    echo "fuzz-long: $t failed; see $work/$t.log" >&2; tail -30 "$work/$t.log" >&2; exit 1; }
  secs=$(( $(date +%s) - start ))
  "$bin" -merge=1 -max_len=$maxlen "fuzz/corpus/$t" "$work/$t" > "$work/$t.merge.log" 2>&1
  done_line=$(grep -aE "^#[0-9]+[[:space:]]+DONE" "$work/$t.log" | tail -1)
  echo "$t: $runs runs in ${secs} s; ${done_line#*DONE }; corpus $(ls "fuzz/corpus/$t" | wc -l) files"
done
