//===- EmitMoEKernel.cpp - configuring kernels/moe.cuh --------------------===//
#include "codegen/cuda/CUDAKernelWriter.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/TileTables.h"

#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

ssmrt::CudaKernelDesc mlir::ssm::emitMoEKernel(MoEOp op) {
  CUDAKernelWriter w(op, "moe.cuh", "ssm_moe");
  std::string T = cudaElementType(op.getInput()), W = cudaElementType(op.getExperts().front());
  auto gate = llvm::cast<RankedTensorType>(op.getExperts().front().getType());
  w.alias("T", T);
  w.alias("w_t", W);
  w.constant("num_experts", op.getNumExperts());
  w.constant("top_k", static_cast<int64_t>(op.getTopK()));
  w.constant("width", gate.getDimSize(1));
  w.constant("inner", gate.getDimSize(0));
  w.flag("renormalize", op.getRenormalize());
  w.tile(tiles::moeTiles(), "THREADS");
  // The MoE ABI (docs/artifact.md): the phase, the input, the f32 router,
  // the runtime's table of expert weights and its scratch, the lengths,
  // the output; then batch and seq.
  w.entry({"int phase", "const " + T + " *__restrict__ x, long long x_ld",
           "const float *__restrict__ router", "const " + W + " *const *experts",
           "float *__restrict__ scratch", "const int *__restrict__ lens",
           T + " *__restrict__ result, long long result_ld"},
          {"phase, x, x_ld, router, experts, scratch, lens, result, result_ld"});
  w.minBlocksPerMultiprocessor(1);
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::Experts;
  launch.channels = op.getNumExperts();
  launch.blockParam = "THREADS";
  return w.finish(launch);
}
