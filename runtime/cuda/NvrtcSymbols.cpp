//===- NvrtcSymbols.cpp - NVRTC, loaded with dlopen -----------------------===//
#include "runtime/cuda/NvrtcSymbols.h"
#include "runtime/cuda/DynamicLibrary.h"

#include <memory>
#include <string>

using namespace ssmrt;
using namespace ssmrt::cuda;

static StatusOr<const NvrtcSymbols *> loadNvrtc() {
  StatusOr<DynamicLibrary> library = DynamicLibrary::openFirst(
      cudaLibraryCandidates({"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"}));
  if (!library.ok())
    return Status::error("NVRTC not found (libnvrtc.so.13 or .12 from the "
                         "CUDA toolkit): cannot compile CUDA kernels here (" +
                         library.status().message() + ")");
  auto symbols = std::make_unique<NvrtcSymbols>();
#define SSMRT_NVRTC_PFN(ret, name, ...)                                                            \
  SSMRT_RETURN_IF_ERROR(                                                                           \
      library->resolve(symbols->name, #name).withPrefix("NVRTC too old for this runtime"));
#include "runtime/cuda/NvrtcSymbolTable.inc"
  // Process-wide, like the driver (DriverSymbols.cpp).
  library->release();
  return static_cast<const NvrtcSymbols *>(symbols.release());
}

StatusOr<const NvrtcSymbols *> NvrtcSymbols::load() {
  static const StatusOr<const NvrtcSymbols *> loaded = loadNvrtc();
  return loaded;
}

Status NvrtcSymbols::check(nvrtcResult result, const char *call) const {
  if (result == NVRTC_SUCCESS)
    return okStatus();
  const char *name = nvrtcGetErrorString(result);
  return Status::error(std::string(call) + ": " +
                       (name ? name : "nvrtcResult " + std::to_string(result)));
}
