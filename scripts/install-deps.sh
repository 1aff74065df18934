#!/usr/bin/env bash
# Installs the Debian 12 packages ssmc needs, skipping those already present.
# Uses sudo when not run as root.
set -euo pipefail

packages=(
  cmake ninja-build g++ python3 git
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools   # the compiler (MLIR/LLVM 19)
  clang-19 libclang-rt-19-dev                              # fuzz targets (libFuzzer)
  libflatbuffers-dev flatbuffers-compiler                  # the artifact format
  libgtest-dev                                             # unit tests
  libopenblas-dev                                          # matrix products on the CPU
  libdnnl-dev                                              # bf16 prefill products (oneDNN)
  bible-kjv                                                # the demo model's held-out text
)

# NVRTC is not a Debian package: it comes with NVIDIA's CUDA toolkit
# (/usr/local/cuda). Without it, the tests that compile kernels to PTX are
# skipped (lit reports them unsupported); the emulator tests still run.
nvrtc_note() {
  if ! ls /usr/local/cuda/lib64/libnvrtc.so* >/dev/null 2>&1 &&
     ! ldconfig -p 2>/dev/null | grep -q libnvrtc.so; then
    echo "install-deps: NVRTC not found (install NVIDIA's CUDA toolkit for the PTX compile tests)"
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  nvrtc_note
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
nvrtc_note
