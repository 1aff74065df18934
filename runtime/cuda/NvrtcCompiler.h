//===- NvrtcCompiler.h - CUDA C++ to PTX and cubin with NVRTC ---*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_NVRTCCOMPILER_H
#define SSMC_RUNTIME_CUDA_NVRTCCOMPILER_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt::cuda {

/// What NVRTC produced for one kernel source.
struct CompiledKernel {
  /// PTX text (without the terminating NUL); empty if NVRTC kept none.
  std::string ptx;
  /// The cubin (an ELF image); empty unless one was asked for.
  std::vector<uint8_t> cubin;
  /// NVRTC's log: warnings, or nothing.
  std::string log;
};

/// The NVRTC that was loaded.
struct NvrtcInfo {
  int major = 0;
  int minor = 0;
  /// The real architectures it compiles for, as numbers: 75, 80, ..., 120.
  std::vector<int> supportedArchs;

  /// "13.0".
  std::string version() const;
};

/// Loads NVRTC and asks it for its version and targets.
StatusOr<NvrtcInfo> nvrtcInfo();

/// Compiles |source| (CUDA C++; |name| identifies the kernel in messages and
/// in NVRTC's log) for |arch|: "sm_90", "sm_90a" or "compute_90". Needs no
/// GPU. With |wantCubin| the result holds a cubin for that real architecture
/// (and the PTX NVRTC keeps beside it); without it, PTX only, which skips the
/// assembler. |options| are NVRTC options (e.g. "--use_fast_math", "-lineinfo",
/// "-DTILE=64"); the architecture comes from |arch| alone. On failure the
/// message names the kernel and holds NVRTC's full log.
StatusOr<CompiledKernel> compile(const std::string &source, const std::string &name,
                                 const std::string &arch, const std::vector<std::string> &options,
                                 bool wantCubin);

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_NVRTCCOMPILER_H
