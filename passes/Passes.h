//===- Passes.h - ssmc pass declarations and registration -------*- C++ -*-===//
#ifndef SSMC_PASSES_PASSES_H
#define SSMC_PASSES_PASSES_H

#include "dialect/SSMDialect.h"
#include "dialect/SSMOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::ssm {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The options of a pipeline that fuses (--ssm-fusion-pipeline and the
/// compiler's pipelines), as a base of its PassPipelineOptions.
template <typename Derived> struct FusionPipelineOptions : public PassPipelineOptions<Derived> {
  ::mlir::detail::PassOptions::Option<bool> foldDeltaProj{
      *this, "fold-delta-proj", llvm::cl::desc("Fold dt_proj into the selective scan"),
      llvm::cl::init(true)};
};

/// The fusion pipeline: --ssm-specialize-decode, then on every function the
/// conv+SiLU, selective-scan, add+RMSNorm and decode-step fusions, then
/// canonicalization and CSE.
void buildFusionPipeline(OpPassManager &pm, bool foldDeltaProj = true);
/// The fusions alone, on one function (nested in a func.func pass manager).
void buildFunctionFusion(OpPassManager &fn, bool foldDeltaProj = true);

/// Registers every ssmc pass (generated registerSSMPasses) and pipeline.
void registerSSMCPassesAndPipelines();

} // namespace mlir::ssm

#endif // SSMC_PASSES_PASSES_H
