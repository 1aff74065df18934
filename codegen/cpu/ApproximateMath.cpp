//===- ApproximateMath.cpp - polynomial math for vector code --------------===//
#include "codegen/cpu/CPUPasses.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMAPPROXIMATEMATH
#include "codegen/cpu/CPUPasses.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {
struct SSMApproximateMath : mlir::ssm::impl::SSMApproximateMathBase<SSMApproximateMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
