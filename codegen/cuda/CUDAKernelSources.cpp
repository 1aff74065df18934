//===- CUDAKernelSources.cpp - the kernel families' CUDA sources ----------===//
#include "codegen/cuda/CUDAKernelSources.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir::ssm;

namespace {
const CUDAKernelSource kSources[] = {
#include "codegen/cuda/CUDAKernelSources.inc"
};
} // namespace

llvm::ArrayRef<CUDAKernelSource> mlir::ssm::cudaKernelSources() { return kSources; }

llvm::StringRef mlir::ssm::cudaKernelSource(llvm::StringRef file) {
  for (const CUDAKernelSource &s : kSources)
    if (file == s.file)
      return s.text;
  llvm::report_fatal_error(llvm::Twine("no embedded CUDA source ") + file);
}
