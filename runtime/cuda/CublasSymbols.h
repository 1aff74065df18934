//===- CublasSymbols.h - cuBLAS, loaded with dlopen -------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_CUBLASSYMBOLS_H
#define SSMC_RUNTIME_CUDA_CUBLASSYMBOLS_H

#include "runtime/Status.h"
#include "runtime/cuda/CudaApi.h"

namespace ssmrt::cuda {

/// The cuBLAS entry points of CublasSymbolTable.inc, resolved from
/// libcublas.so.13 (or .12) at run time. libcublas finds its companion
/// libcublasLt itself (it is a DT_NEEDED entry, searched next to libcublas).
struct CublasSymbols {
#define SSMRT_CUBLAS_PFN(ret, name, ...) ret (*name)(__VA_ARGS__) = nullptr;
#include "runtime/cuda/CublasSymbolTable.inc"

  /// Loads cuBLAS once per process (thread-safe) and returns the same table,
  /// or the same error, on every call.
  static StatusOr<const CublasSymbols *> load();

  /// Ok for CUBLAS_STATUS_SUCCESS, else
  /// "|call|: CUBLAS_STATUS_INVALID_VALUE (an invalid value was used ...)".
  Status check(cublasStatus_t status, const char *call) const;
};

} // namespace ssmrt::cuda

/// Calls cuBLAS function |fn| through |symbols| and returns its Status.
#define SSMRT_CUBLAS_CALL(symbols, fn, ...) (symbols).check((symbols).fn(__VA_ARGS__), #fn)

#endif // SSMC_RUNTIME_CUDA_CUBLASSYMBOLS_H
