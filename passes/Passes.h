//===- Passes.h - ssmc pass declarations and registration -------*- C++ -*-===//
#ifndef SSMC_PASSES_PASSES_H
#define SSMC_PASSES_PASSES_H

#include "dialect/SSMDialect.h"
#include "dialect/SSMOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::ssm {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The fusion pipeline: --ssm-specialize-decode, then on every function the
/// conv+SiLU, selective-scan, add+RMSNorm and decode-step fusions, then
/// canonicalization and CSE.
void buildFusionPipeline(OpPassManager &pm, bool foldDeltaProj = true);

/// Registers every ssmc pass (generated registerSSMPasses) and pipeline.
void registerSSMCPassesAndPipelines();

} // namespace mlir::ssm

#endif // SSMC_PASSES_PASSES_H
