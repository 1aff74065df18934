//===- CUDAKernels.h - CUDA kernels for ssm ops -----------------*- C++ -*-===//
//
// Which ops of a GPU-typed, tiled module get a CUDA kernel, the emitters
// (one file per op family), and the module-level emission that tags every
// kernel op with `ssm.kernel = "<name>"` and collects the distinct kernels.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CUDA_CUDAKERNELS_H
#define SSMC_CODEGEN_CUDA_CUDAKERNELS_H

#include "codegen/cuda/CUDAKernelWriter.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::ssm {

ssmrt::CudaKernelDesc emitRowKernel(Operation *op);
ssmrt::CudaKernelDesc emitConvKernel(CausalConv1dOp op);
ssmrt::CudaKernelDesc emitScanKernel(SelectiveScanOp op);
ssmrt::CudaKernelDesc emitStepKernel(MambaStepOp op);

/// Emits the kernels of @forward and @decode of |module| (after
/// ssm-assign-gpu-types and ssm-choose-cuda-tiles) into |kernels| and tags
/// each kernel op with its kernel's name. Fails, with an error at the op,
/// on an op the CUDA target cannot run.
LogicalResult emitCUDAKernels(ModuleOp module, std::vector<ssmrt::CudaKernelDesc> &kernels);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CUDA_CUDAKERNELS_H
