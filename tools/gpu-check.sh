#!/usr/bin/env bash
# The GPU tests and benchmarks in one go, for a machine with an NVIDIA GPU
# and its driver but no MLIR and no network (e.g. a lent H200).
#
#   tools/gpu-check.sh prepare    on a build machine (ssmc built in build/):
#                                 writes gpu-bundle/ (artifacts, golden
#                                 outputs, gpu_test and ssmc-run built with
#                                 the runtime alone, libstdc++ linked in)
#   tools/gpu-check.sh run [OUT]  on the GPU machine, from a copy of the tree
#                                 with gpu-bundle/ carried along: GPU tests,
#                                 the demo on the GPU vs its CPU output, the
#                                 selective-scan kernel benchmark (tile
#                                 variants) and the model benchmarks; logs
#                                 and JSON go to OUT (default gpu-out/); a
#                                 short table comes last. Under 8 minutes.
#   tools/gpu-check.sh tune [OUT] on the GPU machine: `ssmc-run tune` of
#                                 mamba-130m and mamba-1.4b (60 s each), each
#                                 benchmarked before (--no-tuning) and after
#                                 (the tuned tiles); under 5 minutes.
#
# What must be carried: gpu-bundle/ (about 10 MB) and models/demo/.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}

prepare() {
  set -e
  local ssmc=build/bin/ssmc bundle=gpu-bundle
  [[ -x $ssmc ]] || { echo "gpu-check: build ssmc first (scripts/build.sh)" >&2; exit 1; }
  rm -rf "$bundle" && mkdir -p "$bundle/artifacts" "$bundle/bin"
  echo "== artifacts"
  for dtype in fp32 bf16; do
    "$ssmc" compile test/gpu/odd.ssm --target cuda:sm_90 --gpu-dtype "$dtype" \
      -o "$bundle/artifacts/odd-$dtype-fold.ssmx"
    "$ssmc" compile test/gpu/odd.ssm --target cuda:sm_90 --gpu-dtype "$dtype" \
      --no-fold-delta-proj -o "$bundle/artifacts/odd-$dtype-nofold.ssmx"
  done
  # Mamba-2 at odd sizes: the recurrent SSD kernel (fp32) and the chunked
  # tensor-core one (bf16).
  for dtype in fp32 bf16; do
    "$ssmc" compile test/gpu/odd-mamba2.ssm --target cuda:sm_90 --gpu-dtype "$dtype" \
      -o "$bundle/artifacts/odd-mamba2-$dtype.ssmx"
  done
  # A Jamba-like hybrid: attention (tensor-core prefill in bf16, split
  # decode) and the mixture of experts.
  for dtype in fp32 bf16; do
    "$ssmc" compile test/gpu/odd-hybrid.ssm --target cuda:sm_90 --gpu-dtype "$dtype" \
      -o "$bundle/artifacts/odd-hybrid-$dtype.ssmx"
  done
  "$ssmc" compile models/demo.ssm --target cuda:sm_90 --gpu-dtype fp32 -o "$bundle/artifacts/demo-fp32.ssmx"
  "$ssmc" compile models/demo.ssm --target cuda:sm_90 -o "$bundle/artifacts/demo-bf16.ssmx"
  "$ssmc" compile models/mamba-1.4b.ssm --target cuda:sm_90 -o "$bundle/artifacts/mamba-1.4b.ssmx"
  # The scan benchmark's kernel: u, delta, A, B, C, D, z, dt bias, softplus.
  "$ssmc" compile models/mamba-1.4b.ssm --target cuda:sm_90 --no-fold-delta-proj \
    -o "$bundle/artifacts/mamba-1.4b-nofold.ssmx"
  "$ssmc" compile models/mamba-130m.ssm --target cuda:sm_90 -o "$bundle/artifacts/mamba-130m.ssmx"
  "$ssmc" compile models/mamba2-130m.ssm --target cuda:sm_90 -o "$bundle/artifacts/mamba2-130m.ssmx"
  "$ssmc" compile models/mamba2-130m.ssm --target cuda:sm_90 --gpu-dtype fp32 \
    -o "$bundle/artifacts/mamba2-130m-fp32.ssmx"
  echo "== golden output (greedy demo text on this CPU)"
  "$ssmc" run models/demo.ssm --weights models/demo --prompt "In the beginning" -n 100 \
    --device cpu > "$bundle/demo-greedy.txt"
  cat "$bundle/demo-greedy.txt"; echo
  echo "== runtime binaries (no MLIR, no OpenBLAS, static libstdc++)"
  cmake -S . -B build-bundle -G Ninja -DSSMC_RUNTIME_ONLY=ON -DSSMC_BUILD_FUZZERS=OFF \
    -DSSMC_USE_OPENBLAS=OFF -DSSMC_USE_DNNL=OFF "-DCMAKE_EXE_LINKER_FLAGS=-static-libstdc++ -static-libgcc" >/dev/null
  ninja -C build-bundle gpu_test cuda_gpu_test ssmc-run
  cp build-bundle/bin/gpu_test build-bundle/test/unit/cuda_gpu_test build-bundle/bin/ssmc-run \
    "$bundle/bin/"
  du -sh "$bundle"
}

run() {
  local out=${1:-gpu-out} bundle=gpu-bundle start=$SECONDS
  mkdir -p "$out"
  [[ -d $bundle ]] || { echo "gpu-check: no $bundle/ (run 'tools/gpu-check.sh prepare' first)" >&2; exit 1; }
  local bin=$bundle/bin run=$bundle/bin/ssmc-run
  if ! "$run" --help >/dev/null 2>&1; then
    echo "gpu-check: the carried ssmc-run does not run here; building the runtime" >&2
    cmake -S . -B build-gpu -G Ninja -DSSMC_RUNTIME_ONLY=ON -DSSMC_BUILD_FUZZERS=OFF \
      -DSSMC_USE_OPENBLAS=OFF -DSSMC_USE_DNNL=OFF >"$out/build.log" 2>&1
    ninja -C build-gpu gpu_test cuda_gpu_test ssmc-run >>"$out/build.log" 2>&1
    bin=build-gpu/bin; run=$bin/ssmc-run; cp build-gpu/test/unit/cuda_gpu_test "$bin/"
  fi
  export SSMC_CACHE_DIR=$out/cache SSMC_GPU_TEST_ARTIFACTS=$bundle/artifacts
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv \
    >"$out/nvidia-smi.txt" 2>&1 || true
  cat "$out/nvidia-smi.txt"
  local rows=()
  row() { rows+=("$(printf '%-34s %s' "$1" "$2")"); }

  for t in cuda_gpu_test gpu_test; do
    echo "== $t"
    timeout 240 "$bin/$t" >"$out/$t.log" 2>&1 || true
    grep -E '^  |FAILED|Failure|error' "$out/$t.log" | head -60
    row "$t" "$(grep -E '^\[  (PASSED|FAILED|SKIPPED) +\] [0-9]+ test' "$out/$t.log" | tr -s ' ' | tr '\n' ' ')"
  done

  echo "== demo on the GPU"
  for dtype in fp32 bf16; do
    timeout 60 "$run" run "$bundle/artifacts/demo-$dtype.ssmx" --weights models/demo \
      --prompt "In the beginning" -n 100 --device cuda >"$out/demo-$dtype.txt" 2>"$out/demo-$dtype.err" || true
    if cmp -s "$out/demo-$dtype.txt" "$bundle/demo-greedy.txt"; then
      row "demo greedy text, $dtype GPU" "same as the CPU's"
    else
      row "demo greedy text, $dtype GPU" "differs from the CPU's (see $out/demo-$dtype.txt; $(head -c 60 "$out/demo-$dtype.err"))"
    fi
  done
  cat "$out/demo-fp32.txt"; echo

  echo "== selective_scan kernel: batch 8, seqlen 4096, d_inner 4096, d_state 16, bf16"
  for tiles in "" "CHANNELS=32 GROUPS=2 ITEMS=4 STATE_TILE=4 THREADS=64" \
               "CHANNELS=32 GROUPS=4 ITEMS=4 STATE_TILE=4 THREADS=128" \
               "CHANNELS=64 GROUPS=2 ITEMS=4 STATE_TILE=4 THREADS=128" \
               "CHANNELS=32 GROUPS=4 ITEMS=8 STATE_TILE=4 THREADS=128"; do
    local args=()
    for t in $tiles; do args+=(--tile "$t"); done
    timeout 60 "$run" bench "$bundle/artifacts/mamba-1.4b-nofold.ssmx" --kernel selective_scan \
      --batch 8 --prompt-len 4096 --repeats 20 --device cuda --json "${args[@]}" \
      >>"$out/scan-bench.jsonl" 2>>"$out/scan-bench.err" && tail -1 "$out/scan-bench.jsonl" || true
  done
  timeout 90 "$run" bench "$bundle/artifacts/odd-fp32-nofold.ssmx" --kernel selective_scan \
    --batch 3 --prompt-len 2047 --check --device cuda >"$out/scan-check.txt" 2>&1 || true
  row "scan check (odd sizes, fp32)" "$(grep -oE 'error vs float64 reference: [^ ]+' "$out/scan-check.txt" || echo "failed (see $out/scan-check.txt)")"

  echo "== ssd_scan kernel (Mamba-2; bf16: chunked on tensor cores): mamba2-130m, batch 8, seqlen 4096"
  timeout 60 "$run" bench "$bundle/artifacts/mamba2-130m.ssmx" --kernel ssd_scan --batch 8 \
    --prompt-len 4096 --repeats 20 --device cuda --json >>"$out/ssd-bench.jsonl" \
    2>>"$out/ssd-bench.err" && tail -1 "$out/ssd-bench.jsonl" || true
  timeout 90 "$run" bench "$bundle/artifacts/mamba2-130m-fp32.ssmx" --kernel ssd_scan \
    --batch 2 --prompt-len 1031 --check --device cuda >"$out/ssd-check.txt" 2>&1 || true
  row "ssd_scan check (fp32)" "$(grep -oE 'error vs float64 reference: [^ ]+' "$out/ssd-check.txt" || echo "failed (see $out/ssd-check.txt)")"
  timeout 90 "$run" bench "$bundle/artifacts/mamba2-130m.ssmx" --kernel ssd_scan \
    --batch 2 --prompt-len 1031 --check --device cuda >"$out/ssd-check-bf16.txt" 2>&1 || true
  row "ssd_scan check (bf16, tensor cores)" "$(grep -oE 'error vs float64 reference: [^ ]+' "$out/ssd-check-bf16.txt" || echo "failed (see $out/ssd-check-bf16.txt)")"

  echo "== model benchmarks (random weights)"
  for spec in "mamba-1.4b 1 128 64" "mamba-1.4b 8 128 32" "mamba-130m 1 512 64" "mamba2-130m 1 512 64"; do
    set -- $spec
    timeout 120 "$run" bench "$bundle/artifacts/$1.ssmx" --random-weights --batch "$2" \
      --prompt-len "$3" --gen "$4" --repeats 3 --device cuda --json --profile --no-tuning \
      >>"$out/model-bench.jsonl" 2>>"$out/model-bench.err" && tail -1 "$out/model-bench.jsonl" ||
      row "$1 batch $2" "failed: $(tail -1 "$out/model-bench.err")"
  done
  grep "device time by op" "$out/model-bench.err" || true

  while IFS= read -r line; do rows+=("$line"); done < <(python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
def lines(name):
    path = os.path.join(out, name)
    return [json.loads(l) for l in open(path) if l.strip()] if os.path.exists(path) else []
scans = lines("scan-bench.jsonl")
for s in sorted(scans, key=lambda s: -s["ratio"])[:3]:
    print("%-34s %.3f ms, %.0f%% of the %s floor (bytes %.3f / special %.3f / flops %.3f ms) %s" % (
        "scan B8 L4096 E4096 N16 bf16", s["time_ms"], 100 * s["ratio"], s["binding"],
        s["bytes_floor_ms"], s["special_floor_ms"], s["flops_floor_ms"], s["tiles"]))
for s in lines("ssd-bench.jsonl"):
    print("%-34s %.3f ms, %.0f%% of the %s floor (bytes %.3f / special %.3f / flops %.3f ms)" % (
        "ssd_scan B8 L4096 mamba2-130m bf16", s["time_ms"], 100 * s["ratio"], s["binding"],
        s["bytes_floor_ms"], s["special_floor_ms"], s["flops_floor_ms"]))
for m in lines("model-bench.jsonl"):
    name = "%s b%d" % (m["model"], m["batch"])
    print("%-34s %.3f ms/step, floor %.3f ms (%.0f MB / %.0f GB/s): %.2fx the floor%s" % (
        name + " decode", m["decode_step_ms"], m["decode_floor_ms"], m["weight_bytes"] / 1e6,
        m["copy_bandwidth_gb_s"], m["decode_step_ms"] / m["decode_floor_ms"],
        "" if m["graphs"] else " (no graphs)"))
    print("%-34s %.0f tok/s, %.2f of the cuBLAS GEMM bound (%.0f tok/s)" % (
        name + " prefill %d" % m["prompt_len"], m["prefill_tokens_per_s"], m["prefill_ratio"],
        m["prefill_gemm_bound_tokens_per_s"]))
PY
)

  echo
  echo "== summary ($(head -2 "$out/nvidia-smi.txt" | tail -1), $((SECONDS - start)) s)"
  printf '%s\n' "${rows[@]}" | tee "$out/summary.txt"
}


tune() {
  local out=${1:-gpu-out} bundle=gpu-bundle
  local run=$bundle/bin/ssmc-run
  mkdir -p "$out"
  start=$SECONDS
  echo "== tuning (ssmc-run tune, 60 s each), benchmarks before and after"
  for spec in "mamba-130m 1 512 64" "mamba-1.4b 1 128 64"; do
    set -- $spec
    timeout 120 "$run" bench "$bundle/artifacts/$1.ssmx" --random-weights --batch "$2" \
      --prompt-len "$3" --gen "$4" --repeats 3 --device cuda --json --no-tuning \
      >>"$out/untuned-bench.jsonl" 2>>"$out/untuned-bench.err" && tail -1 "$out/untuned-bench.jsonl"
    timeout 150 "$run" tune "$bundle/artifacts/$1.ssmx" --device cuda --budget 60 --prompt-len "$3" \
      --tuning-db "$out/tuning.jsonl" --json >>"$out/tune.jsonl" 2>>"$out/tune.err" &&
      tail -1 "$out/tune.jsonl"
    timeout 120 "$run" bench "$bundle/artifacts/$1.ssmx" --random-weights --batch "$2" \
      --prompt-len "$3" --gen "$4" --repeats 3 --device cuda --json --tuning-db "$out/tuning.jsonl" \
      >>"$out/tuned-bench.jsonl" 2>>"$out/tuned-bench.err" && tail -1 "$out/tuned-bench.jsonl"
  done
  python3 - "$out" <<'PY' | tee "$out/tune-summary.txt"
import json, sys, os
out = sys.argv[1]
def lines(name):
    path = os.path.join(out, name)
    return [json.loads(l) for l in open(path) if l.strip()] if os.path.exists(path) else []
for t in lines("tune.jsonl"):
    for k in t["kernels"]:
        print("%-34s %s: %.4f -> %.4f ms (%d timed, %d rejected) %s" % (
            "tune " + k["kernel"], k["function"], 1e3 * k["default_s"], 1e3 * k["best_s"],
            k["configs"], k["rejected"], k["best"]))
default = {(m["model"], m["batch"]): m for m in lines("untuned-bench.jsonl")}
for m in lines("tuned-bench.jsonl"):
    d = default.get((m["model"], m["batch"]))
    if d:
        print("%-34s decode %.3f -> %.3f ms/step, prefill %.0f -> %.0f tok/s (%s)" % (
            "%s b%d tuned" % (m["model"], m["batch"]), d["decode_step_ms"], m["decode_step_ms"],
            d["prefill_tokens_per_s"], m["prefill_tokens_per_s"], m["tuning"]))
PY
  echo "== tuning done in $((SECONDS - start)) s"
}

case $mode in
  prepare) prepare ;;
  run) run "${2:-}" ;;
  tune) tune "${2:-}" ;;
  *) echo "usage: tools/gpu-check.sh prepare | run [OUTDIR] | tune [OUTDIR]" >&2; exit 1 ;;
esac
