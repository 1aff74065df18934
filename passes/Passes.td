//===- Passes.td - ssmc passes ------------------------------*- tablegen -*-===//
//
// Groups passes that are related under one banner. For any new pass add it to
// the relevant group and keep them alphabetical within a group. File, class
// and flag agree: FuseAddRMSNorm.cpp, SSMFuseAddRMSNorm, ssm-fuse-add-rmsnorm.
//
//===----------------------------------------------------------------------===//

#ifndef SSMC_PASSES_TD
#define SSMC_PASSES_TD

include "mlir/Pass/PassBase.td"

#endif // SSMC_PASSES_TD
