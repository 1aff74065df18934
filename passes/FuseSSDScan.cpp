//===- FuseSSDScan.cpp - fold Mamba-2's discretization and gate -----------===//
//
// Each pattern folds one neighbour of an ssm.ssd_scan into it and fires only
// where the result is exactly what the scan computes:
//   Δ = clamp(softplus₂₀(dt + dt_bias), dt_min, dt_max);  y · silu(z).
// (The D skip is per head and x per channel, so `y + x·D` has no op-level
// form to fold; models pass D to ssd_scan.)
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMFUSESSDSCAN
#include "passes/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// A copy of |old| with some operands or attributes changed by |edit|,
/// replacing both of |old|'s results; returns the new op.
SSDScanOp rebuild(PatternRewriter &rewriter, SSDScanOp old,
                  llvm::function_ref<void(SSDScanOp)> edit) {
  rewriter.setInsertionPoint(old);
  auto op = llvm::cast<SSDScanOp>(rewriter.clone(*old));
  rewriter.modifyOpInPlace(op, [&] { edit(op); });
  rewriter.replaceOp(old, op->getResults());
  return op;
}

/// softplus(dt) with threshold 20 → dt_softplus. A bias already folded is
/// added inside the op's softplus, so it must be absent. A clamp stays
/// after the softplus either way.
struct FoldSoftplus : OpRewritePattern<SSDScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SSDScanOp op, PatternRewriter &rewriter) const override {
    auto softplus = op.getDt().getDefiningOp<SoftplusOp>();
    if (!softplus || op.getDtSoftplus() || op.getDtBias() ||
        softplus.getThreshold().convertToDouble() != 20.0 || !softplus->hasOneUse())
      return rewriter.notifyMatchFailure(op, "dt is not a foldable softplus");
    Value input = softplus.getInput();
    rebuild(rewriter, op, [&](SSDScanOp fused) {
      fused.getDtMutable().assign(input);
      fused.setDtSoftplus(true);
    });
    return success();
  }
};

/// dt = add(x, b) with a [heads] vector b → dt_bias = b. Without the op's
/// softplus the bias is added before the clamp, as the add was; with it,
/// the add was inside the softplus (FoldSoftplus fired first).
struct FoldDtBias : OpRewritePattern<SSDScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SSDScanOp op, PatternRewriter &rewriter) const override {
    auto add = op.getDt().getDefiningOp<AddOp>();
    if (!add || op.getDtBias() || !add->hasOneUse())
      return rewriter.notifyMatchFailure(op, "no dt bias to fold");
    int64_t heads = op.getHeads();
    Value vec = isChannelVector(add.getRhs(), heads)   ? add.getRhs()
                : isChannelVector(add.getLhs(), heads) ? add.getLhs()
                                                       : Value();
    Value other = vec == add.getRhs() ? add.getLhs() : add.getRhs();
    if (!vec || other.getType() != op.getDt().getType())
      return rewriter.notifyMatchFailure(op, "add is not dt plus a [heads] bias");
    rebuild(rewriter, op, [&](SSDScanOp fused) {
      fused.getDtMutable().assign(other);
      fused.getDtBiasMutable().assign(vec);
    });
    return success();
  }
};

/// mul(y, silu(z)) → z, for the scan's output with no other use.
struct FoldGate : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp mul, PatternRewriter &rewriter) const override {
    for (auto [y, other] :
         {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
      auto scan = y.getDefiningOp<SSDScanOp>();
      auto silu = other.getDefiningOp<SiluOp>();
      if (!scan || y != scan.getResult() || !y.hasOneUse() || !silu || scan.getZ() ||
          mul.getType() != y.getType() || silu.getType() != y.getType() ||
          !availableBefore(silu.getInput(), scan))
        continue;
      Value z = silu.getInput();
      SSDScanOp fused = rebuild(rewriter, scan, [&](SSDScanOp op) { op.getZMutable().assign(z); });
      rewriter.replaceOp(mul, fused.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "not an ssd_scan output times silu(z)");
  }
};

struct SSMFuseSSDScan : mlir::ssm::impl::SSMFuseSSDScanBase<SSMFuseSSDScan> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldSoftplus, FoldDtBias, FoldGate>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
