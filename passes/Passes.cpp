//===- Passes.cpp - ssmc pass and pipeline registration -------------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct FusionOptions : public ssm::FusionPipelineOptions<FusionOptions> {};
} // namespace

void mlir::ssm::buildFusionPipeline(OpPassManager &pm, bool foldDeltaProj) {
  pm.addPass(createSSMSpecializeDecode());
  buildFunctionFusion(pm.nest<func::FuncOp>(), foldDeltaProj);
}

void mlir::ssm::buildFunctionFusion(OpPassManager &fn, bool foldDeltaProj) {
  fn.addPass(createSSMFuseConvSilu());
  fn.addPass(createSSMFuseSelectiveScan(SSMFuseSelectiveScanOptions{foldDeltaProj}));
  fn.addPass(createSSMFuseSSDScan());
  fn.addPass(createSSMFuseAddRMSNorm());
  fn.addPass(createSSMFuseDecodeStep());
  fn.addPass(createCanonicalizerPass());
  fn.addPass(createCSEPass());
}

void mlir::ssm::registerSSMCPassesAndPipelines() {
  registerSSMPasses();
  PassPipelineRegistration<FusionOptions>("ssm-fusion-pipeline",
                                          "Adds @decode and fuses @forward and @decode (conv+SiLU, "
                                          "discretization+scan+skip+gate for Mamba-1 and -2, "
                                          "residual+norm, decode step)",
                                          [](OpPassManager &pm, const FusionOptions &options) {
                                            buildFusionPipeline(pm, options.foldDeltaProj);
                                          });
}
