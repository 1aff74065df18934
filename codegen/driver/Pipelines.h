//===- Pipelines.h - the compiler's pass pipelines ---------------*- C++ -*-===//
//
// The pipelines a model goes through, as `ssmc compile` runs them and as
// `ssmc-opt` exposes them:
//   --ssm-cpu-pipeline   fusion, memory plan, CPU kernel outlining
//   --ssm-cuda-pipeline  fusion, memory plan, GPU types, CUDA tiles,
//                        CUDA kernel names (then `--emit=cuda` prints them)
// Each is built from the stages below, which the compiler driver runs one by
// one (it keeps a copy between the shared part and each target's part).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_DRIVER_PIPELINES_H
#define SSMC_CODEGEN_DRIVER_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace ssmc {

/// Fusion (passes/Passes.h) and the memory plan: what both targets share.
void buildFusedPipeline(mlir::OpPassManager &pm, bool foldDeltaProj);
/// The CPU target's part: one kernel function per distinct kernel op; ops
/// without one run in the reference interpreter if |referenceFallback|,
/// else they are errors.
void buildCPUKernelPipeline(mlir::OpPassManager &pm, int vectorWidth, bool referenceFallback);
/// The CUDA target's part: GPU element types, tiles, kernel names.
void buildCUDAKernelPipeline(mlir::OpPassManager &pm, const std::string &dtype, int sharedMemoryKB);

/// Registers every pass of the compiler and --ssm-fusion-pipeline,
/// --ssm-cpu-pipeline and --ssm-cuda-pipeline.
void registerCompilerPassesAndPipelines();

} // namespace ssmc

#endif // SSMC_CODEGEN_DRIVER_PIPELINES_H
