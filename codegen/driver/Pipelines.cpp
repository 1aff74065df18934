//===- Pipelines.cpp - the compiler's pass pipelines ----------------------===//
#include "codegen/driver/Pipelines.h"

#include "codegen/cpu/CPUPasses.h"
#include "codegen/cuda/CUDAPasses.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace {

struct CPUPipelineOptions : public ssm::FusionPipelineOptions<CPUPipelineOptions> {
  Option<int> vectorWidth{*this, "vector-width",
                          llvm::cl::desc("f32 lanes per vector (0: from the host CPU)"),
                          llvm::cl::init(0)};
  Option<bool> referenceFallback{
      *this, "reference-fallback",
      llvm::cl::desc("let ops without a CPU kernel run in the float64 reference interpreter"),
      llvm::cl::init(true)};
};

struct CUDAPipelineOptions : public ssm::FusionPipelineOptions<CUDAPipelineOptions> {
  Option<std::string> dtype{*this, "dtype", llvm::cl::desc("the compute dtype: bf16, fp16 or fp32"),
                            llvm::cl::init("bf16")};
  Option<int> sharedMemoryKB{*this, "shared-memory-kb",
                             llvm::cl::desc("static shared memory per block, in KiB"),
                             llvm::cl::init(48)};
};

} // namespace

void ssmc::buildFusedPipeline(OpPassManager &pm, bool foldDeltaProj) {
  ssm::buildFusionPipeline(pm, foldDeltaProj);
  pm.addNestedPass<func::FuncOp>(ssm::createSSMPlanMemory());
}

void ssmc::buildCPUKernelPipeline(OpPassManager &pm, int vectorWidth, bool referenceFallback) {
  pm.addPass(ssm::createSSMOutlineCPUKernels(
      ssm::SSMOutlineCPUKernelsOptions{vectorWidth, referenceFallback}));
}

void ssmc::buildCUDAKernelPipeline(OpPassManager &pm, const std::string &dtype,
                                   int sharedMemoryKB) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  fn.addPass(ssm::createSSMAssignGPUTypes(ssm::SSMAssignGPUTypesOptions{dtype}));
  fn.addPass(ssm::createSSMChooseCUDATiles(ssm::SSMChooseCUDATilesOptions{sharedMemoryKB}));
  fn.addPass(ssm::createSSMAssignCUDAKernels());
}

void ssmc::registerCompilerPassesAndPipelines() {
  ssm::registerSSMCPassesAndPipelines();
  ssm::registerSSMCPUPasses();
  ssm::registerSSMCUDAPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "ssm-cpu-pipeline",
      "From graph-level ssm ops to CPU kernels: fusion, the memory plan, one kernel function "
      "per distinct kernel op",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        buildFusedPipeline(pm, options.foldDeltaProj);
        buildCPUKernelPipeline(pm, options.vectorWidth, options.referenceFallback);
      });
  PassPipelineRegistration<CUDAPipelineOptions>(
      "ssm-cuda-pipeline",
      "From graph-level ssm ops to named CUDA kernels: fusion, the memory plan, GPU element "
      "types, tiles, kernel names",
      [](OpPassManager &pm, const CUDAPipelineOptions &options) {
        buildFusedPipeline(pm, options.foldDeltaProj);
        buildCUDAKernelPipeline(pm, options.dtype, options.sharedMemoryKB);
      });
}
