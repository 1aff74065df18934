//===- FuseConvSilu.cpp - SiLU into the causal convolution ----------------===//
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMFUSECONVSILU
#include "passes/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

struct FoldSiluIntoConv : OpRewritePattern<SiluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SiluOp silu, PatternRewriter &rewriter) const override {
    auto conv = silu.getInput().getDefiningOp<CausalConv1dOp>();
    if (!conv || conv.getSilu() || !conv.getResult().hasOneUse())
      return rewriter.notifyMatchFailure(silu, "input is not a plain convolution");
    rewriter.setInsertionPoint(conv);
    auto fused = rewriter.create<CausalConv1dOp>(
        conv.getLoc(), conv.getResult().getType(), conv.getFinalState().getType(), conv.getInput(),
        conv.getWeight(), conv.getBias(), conv.getInitState(), conv.getSeqLens(),
        rewriter.getUnitAttr());
    rewriter.replaceOp(conv, fused.getResults());
    rewriter.replaceOp(silu, fused.getResult());
    return success();
  }
};

struct SSMFuseConvSilu : mlir::ssm::impl::SSMFuseConvSiluBase<SSMFuseConvSilu> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldSiluIntoConv>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
