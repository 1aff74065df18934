//===- Passes.cpp - ssmc pass and pipeline registration -------------------===//
#include "passes/Passes.h"

void mlir::ssm::registerSSMCPassesAndPipelines() { registerSSMPasses(); }
