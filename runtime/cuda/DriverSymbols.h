//===- DriverSymbols.h - the CUDA driver API via dlopen ---------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_DRIVERSYMBOLS_H
#define SSMC_RUNTIME_CUDA_DRIVERSYMBOLS_H

#include "runtime/Status.h"
#include "runtime/cuda/CudaApi.h"

#include <string>

namespace ssmrt::cuda {

/// The driver entry points of DriverSymbolTable.inc, resolved from
/// libcuda.so.1 at run time: the runtime neither links against the driver nor
/// needs its headers, so it builds and runs (CPU only) where there is none.
struct DriverSymbols {
#define SSMRT_CU_PFN(name, ...) CUresult (*name)(__VA_ARGS__) = nullptr;
#include "runtime/cuda/DriverSymbolTable.inc"

  /// Loads the driver once per process (thread-safe) and returns the same
  /// table, or the same error, on every call. The library stays loaded until
  /// the process exits.
  static StatusOr<const DriverSymbols *> load();

  /// "CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed)".
  std::string describe(CUresult result) const;

  /// Ok for CUDA_SUCCESS, else "|call|: <describe(result)>".
  Status check(CUresult result, const char *call) const;
};

} // namespace ssmrt::cuda

/// Calls driver function |fn| through |symbols| and returns its Status, e.g.
/// SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(cu, cuCtxSynchronize));
#define SSMRT_CU_CALL(symbols, fn, ...) (symbols).check((symbols).fn(__VA_ARGS__), #fn)

#endif // SSMC_RUNTIME_CUDA_DRIVERSYMBOLS_H
