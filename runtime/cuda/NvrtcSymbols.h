//===- NvrtcSymbols.h - NVRTC, loaded with dlopen ---------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_NVRTCSYMBOLS_H
#define SSMC_RUNTIME_CUDA_NVRTCSYMBOLS_H

#include "runtime/Status.h"
#include "runtime/cuda/CudaApi.h"

namespace ssmrt::cuda {

/// The NVRTC entry points of NvrtcSymbolTable.inc, resolved from
/// libnvrtc.so.13 (or .12) at run time. NVRTC needs no GPU: it compiles CUDA
/// C++ to PTX or cubin for any architecture it supports.
struct NvrtcSymbols {
#define SSMRT_NVRTC_PFN(ret, name, ...) ret (*name)(__VA_ARGS__) = nullptr;
#include "runtime/cuda/NvrtcSymbolTable.inc"

  /// Loads NVRTC once per process (thread-safe) and returns the same table,
  /// or the same error, on every call.
  static StatusOr<const NvrtcSymbols *> load();

  /// Ok for NVRTC_SUCCESS, else "|call|: NVRTC_ERROR_...".
  Status check(nvrtcResult result, const char *call) const;
};

} // namespace ssmrt::cuda

/// Calls NVRTC function |fn| through |symbols| and returns its Status.
#define SSMRT_NVRTC_CALL(symbols, fn, ...) (symbols).check((symbols).fn(__VA_ARGS__), #fn)

#endif // SSMC_RUNTIME_CUDA_NVRTCSYMBOLS_H
