//===- DriverSymbols.cpp - the CUDA driver API, loaded with dlopen --------===//
#include "runtime/cuda/DriverSymbols.h"
#include "runtime/cuda/DynamicLibrary.h"

#include <memory>

using namespace ssmrt;
using namespace ssmrt::cuda;

namespace {

/// The driver comes with the NVIDIA kernel module, not with the toolkit, so
/// the toolkit folders are not searched (they hold only a stub that reports
/// CUDA_ERROR_STUB_LIBRARY). Containers and WSL mount it elsewhere.
StatusOr<const DriverSymbols *> loadDriver() {
  StatusOr<DynamicLibrary> library = DynamicLibrary::openFirst(
      {"libcuda.so.1", "libcuda.so", "/usr/local/nvidia/lib64/libcuda.so.1",
       "/usr/lib/wsl/lib/libcuda.so.1"});
  if (!library.ok())
    return Status::error("CUDA driver not found (libcuda.so.1): no NVIDIA "
                         "driver on this machine (" +
                         library.status().message() + ")");
  auto symbols = std::make_unique<DriverSymbols>();
#define SSMRT_CU_PFN(name, ...)                                                                    \
  SSMRT_RETURN_IF_ERROR(                                                                           \
      library->resolve(symbols->name, #name).withPrefix("CUDA driver too old for this runtime"));
#include "runtime/cuda/DriverSymbolTable.inc"
  // Both stay for the life of the process: the table is shared, and closing
  // the driver during static destruction would pull it from under objects
  // that still release GPU resources then.
  library->release();
  return static_cast<const DriverSymbols *>(symbols.release());
}

/// Names for the codes CudaApi.h declares, for when the driver cannot name
/// its own errors: the toolkit's stub libcuda answers every call,
/// cuGetErrorName included, with CUDA_ERROR_STUB_LIBRARY.
std::string fallbackName(CUresult result) {
  switch (result) {
  case CUDA_SUCCESS: return "CUDA_SUCCESS";
  case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
  case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
  case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
  case CUDA_ERROR_STUB_LIBRARY:
    return "CUDA_ERROR_STUB_LIBRARY (the CUDA toolkit's stub libcuda was "
           "loaded, not an NVIDIA driver)";
  case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
  case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
  case CUDA_ERROR_NO_BINARY_FOR_GPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
  case CUDA_ERROR_INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
  case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
  case CUDA_ERROR_UNKNOWN: return "CUDA_ERROR_UNKNOWN";
  }
  return "CUresult " + std::to_string(static_cast<int>(result));
}

} // namespace

StatusOr<const DriverSymbols *> DriverSymbols::load() {
  static const StatusOr<const DriverSymbols *> loaded = loadDriver();
  return loaded;
}

std::string DriverSymbols::describe(CUresult result) const {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    return fallbackName(result);
  std::string described = name;
  if (cuGetErrorString(result, &text) == CUDA_SUCCESS && text)
    described += std::string(" (") + text + ")";
  return described;
}

Status DriverSymbols::check(CUresult result, const char *call) const {
  if (result == CUDA_SUCCESS)
    return okStatus();
  return Status::error(std::string(call) + ": " + describe(result));
}
