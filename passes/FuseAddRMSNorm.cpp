//===- FuseAddRMSNorm.cpp - residual add and RMSNorm in one op ------------===//
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMFUSEADDRMSNORM
#include "passes/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

struct FoldAddIntoNorm : OpRewritePattern<RMSNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RMSNormOp norm, PatternRewriter &rewriter) const override {
    auto add = norm.getInput().getDefiningOp<AddOp>();
    // Both addends must have the sum's shape (no broadcast).
    if (!add || add.getLhs().getType() != add.getType() || add.getRhs().getType() != add.getType())
      return rewriter.notifyMatchFailure(norm, "input is not a same-shape add");
    // The fused op takes the norm's place; the sum must still dominate every
    // other use of the add.
    for (Operation *user : add->getUsers())
      if (user != norm && (user->getBlock() != norm->getBlock() || user->isBeforeInBlock(norm)))
        return rewriter.notifyMatchFailure(norm, "the sum is used before the norm");
    rewriter.setInsertionPoint(norm);
    auto fused =
        rewriter.create<AddRMSNormOp>(norm.getLoc(), norm.getType(), add.getType(), add.getLhs(),
                                      add.getRhs(), norm.getWeight(), norm.getEpsAttr());
    rewriter.replaceOp(norm, fused.getNormed());
    rewriter.replaceOp(add, fused.getSum());
    return success();
  }
};

struct SSMFuseAddRMSNorm : mlir::ssm::impl::SSMFuseAddRMSNormBase<SSMFuseAddRMSNorm> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldAddIntoNorm>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
