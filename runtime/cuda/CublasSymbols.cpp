//===- CublasSymbols.cpp - cuBLAS, loaded with dlopen ---------------------===//
#include "runtime/cuda/CublasSymbols.h"
#include "runtime/cuda/DynamicLibrary.h"

#include <memory>
#include <string>

using namespace ssmrt;
using namespace ssmrt::cuda;

static StatusOr<const CublasSymbols *> loadCublas() {
  StatusOr<DynamicLibrary> library = DynamicLibrary::openFirst(
      cudaLibraryCandidates({"libcublas.so.13", "libcublas.so.12", "libcublas.so"}));
  if (!library.ok())
    return Status::error("cuBLAS not found (libcublas.so.13 or .12 with "
                         "libcublasLt, from the CUDA toolkit) (" +
                         library.status().message() + ")");
  auto symbols = std::make_unique<CublasSymbols>();
#define SSMRT_CUBLAS_PFN(ret, name, ...)                                                           \
  SSMRT_RETURN_IF_ERROR(                                                                           \
      library->resolve(symbols->name, #name).withPrefix("cuBLAS too old for this runtime"));
#include "runtime/cuda/CublasSymbolTable.inc"
  // Process-wide, like the driver (DriverSymbols.cpp).
  library->release();
  return static_cast<const CublasSymbols *>(symbols.release());
}

StatusOr<const CublasSymbols *> CublasSymbols::load() {
  static const StatusOr<const CublasSymbols *> loaded = loadCublas();
  return loaded;
}

Status CublasSymbols::check(cublasStatus_t status, const char *call) const {
  if (status == CUBLAS_STATUS_SUCCESS)
    return okStatus();
  const char *name = cublasGetStatusName(status);
  const char *text = cublasGetStatusString(status);
  std::string described = name ? name : "cublasStatus_t " + std::to_string(status);
  if (text)
    described += std::string(" (") + text + ")";
  return Status::error(std::string(call) + ": " + described);
}
