//===- CUDAKernelSources.h - the kernel families' CUDA sources --*- C++ -*-===//
//
// The files of codegen/cuda/kernels/, embedded at build time: the preamble
// every kernel starts with and one .cuh per kernel family.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CUDA_CUDAKERNELSOURCES_H
#define SSMC_CODEGEN_CUDA_CUDAKERNELSOURCES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::ssm {

struct CUDAKernelSource {
  const char *file; ///< e.g. "scan.cuh"
  const char *text;
};

/// Every embedded file.
llvm::ArrayRef<CUDAKernelSource> cudaKernelSources();
/// The text of |file| (e.g. "preamble.cuh"); the file must exist.
llvm::StringRef cudaKernelSource(llvm::StringRef file);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CUDA_CUDAKERNELSOURCES_H
