//===- CUDAKernels.h - CUDA kernels for ssm ops -----------------*- C++ -*-===//
//
// The emitters (one file per kernel family, each configuring a source of
// kernels/) and the emission of a module's kernels: after the CUDA passes
// (--ssm-assign-gpu-types, --ssm-choose-cuda-tiles, --ssm-assign-cuda-
// kernels) every kernel op carries `ssm.kernel`; emission reads the IR and
// returns one kernel per name, changing nothing.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CUDA_CUDAKERNELS_H
#define SSMC_CODEGEN_CUDA_CUDAKERNELS_H

#include "codegen/cuda/CUDAKernelWriter.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::ssm {

FailureOr<ssmrt::CudaKernelDesc> emitRowKernel(Operation *op);
ssmrt::CudaKernelDesc emitConvKernel(CausalConv1dOp op);
ssmrt::CudaKernelDesc emitScanKernel(SelectiveScanOp op);
ssmrt::CudaKernelDesc emitSSDKernel(SSDScanOp op);
/// Whether |op|'s kernel is the chunked tensor-core form (kernels/
/// ssd_chunked.cuh: x in bf16 or fp16) rather than the recurrent one
/// (kernels/ssd.cuh: f32, where tensor cores would lose its precision).
bool ssdOnTensorCores(SSDScanOp op);
ssmrt::CudaKernelDesc emitStepKernel(MambaStepOp op);
ssmrt::CudaKernelDesc emitMamba2StepKernel(Mamba2StepOp op);
/// kernels/attention.cuh: the tensor-core prefill kernel when the tiles
/// ask for it (QTOK = tiles::kAttentionMmaQueries) and the op fits it,
/// else the row kernel (f32, odd head sizes, decode).
ssmrt::CudaKernelDesc emitAttentionKernel(AttentionOp op);
/// kernels/moe.cuh: the mixture of experts in four phases, token by token.
ssmrt::CudaKernelDesc emitMoEKernel(MoEOp op);
/// Whether |op| can take the tensor-core kernel: 16-bit q, k, v and
/// head_dim a multiple of 16 up to 128.
bool attentionFitsTensorCores(AttentionOp op);

/// The name ssm-assign-cuda-kernels gives |op|'s kernel: the op's mnemonic
/// and a hash of everything its emitter reads (attributes, tiles, the role
/// and type of every operand and result), so ops that need the same code
/// share one kernel.
std::string cudaKernelName(Operation *op);

/// The kernels of the functions of |module| (a model's @forward and
/// @decode), one per `ssm.kernel` name, in order of first use. Fails, with an error at the op, when
/// two ops share a name but not their code.
FailureOr<std::vector<ssmrt::CudaKernelDesc>> emitCUDAKernels(ModuleOp module);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CUDA_CUDAKERNELS_H
