//===- Passes.cpp - ssmc pass and pipeline registration -------------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct FusionPipelineOptions : public PassPipelineOptions<FusionPipelineOptions> {
  Option<bool> foldDeltaProj{*this, "fold-delta-proj",
                             llvm::cl::desc("Fold dt_proj into the selective scan"),
                             llvm::cl::init(true)};
};
} // namespace

void mlir::ssm::buildFusionPipeline(OpPassManager &pm, bool foldDeltaProj) {
  pm.addPass(createSSMSpecializeDecode());
  OpPassManager &fn = pm.nest<func::FuncOp>();
  fn.addPass(createSSMFuseConvSilu());
  fn.addPass(createSSMFuseSelectiveScan(SSMFuseSelectiveScanOptions{foldDeltaProj}));
  fn.addPass(createSSMFuseAddRMSNorm());
  fn.addPass(createSSMFuseDecodeStep());
  fn.addPass(createCanonicalizerPass());
  fn.addPass(createCSEPass());
}

void mlir::ssm::registerSSMCPassesAndPipelines() {
  registerSSMPasses();
  PassPipelineRegistration<FusionPipelineOptions>(
      "ssm-fusion-pipeline",
      "Adds @decode and fuses @forward and @decode (conv+SiLU, discretization+scan+skip+gate, "
      "residual+norm, decode step)",
      [](OpPassManager &pm, const FusionPipelineOptions &options) {
        buildFusionPipeline(pm, options.foldDeltaProj);
      });
}
