//===- FuseDecodeStep.cpp - one-token mixer cores into one step op ------===//
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMFUSEDECODESTEP
#include "passes/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

struct FuseStep : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp scan, PatternRewriter &rewriter) const override {
    auto u = llvm::cast<RankedTensorType>(scan.getU().getType());
    if (u.getDimSize(1) != 1)
      return rewriter.notifyMatchFailure(scan, "not a one-token function");
    if (!scan.getDeltaSoftplus() || !scan.getDeltaProj() || !scan.getDeltaBias() || !scan.getZ() ||
        !scan.getInitState() || scan.getGroups() != 1)
      return rewriter.notifyMatchFailure(scan, "the scan is not fully fused");
    // The decode step has no prologue norms (Jamba's stay in the scan).
    if (scan.getDeltaNorm() || scan.getBNorm() || scan.getCNorm())
      return rewriter.notifyMatchFailure(scan, "the scan normalizes delta, B or C");
    // u = conv1d+SiLU with a carried state.
    auto conv = scan.getU().getDefiningOp<CausalConv1dOp>();
    if (!conv || !conv.getSilu() || !conv.getInitState())
      return rewriter.notifyMatchFailure(scan, "u is not a conv1d+SiLU");
    // δ, B, C = split(linear(u, x_proj)) in that order, nothing in between.
    auto split = scan.getDelta().getDefiningOp<SplitOp>();
    if (!split || split.getNumResults() != 3 || scan.getDelta() != split.getResult(0) ||
        scan.getB() != split.getResult(1) || scan.getC() != split.getResult(2) ||
        split.getAxis() != 2 || !split.getResult(0).hasOneUse() ||
        !split.getResult(1).hasOneUse() || !split.getResult(2).hasOneUse())
      return rewriter.notifyMatchFailure(scan, "delta, B and C are not one x_proj split");
    auto xProj = split.getInput().getDefiningOp<LinearOp>();
    if (!xProj || xProj.getBias() || xProj.getInput() != conv.getResult() || !xProj->hasOneUse())
      return rewriter.notifyMatchFailure(scan, "the split input is not x_proj(u)");
    for (Operation *user : conv.getResult().getUsers())
      if (user != scan && user != xProj)
        return rewriter.notifyMatchFailure(scan, "u has other uses");

    rewriter.setInsertionPoint(scan);
    auto step = rewriter.create<MambaStepOp>(
        scan.getLoc(), scan.getResult().getType(), conv.getFinalState().getType(),
        scan.getFinalState().getType(), conv.getInput(), scan.getZ(), conv.getWeight(),
        conv.getInitState(), xProj.getWeight(), scan.getDeltaProj(), scan.getDeltaBias(),
        scan.getA(), scan.getInitState(), conv.getBias(), scan.getD());
    rewriter.replaceAllUsesWith(conv.getFinalState(), step.getConvStateOut());
    rewriter.replaceOp(scan, {step.getResult(), step.getSsmStateOut()});
    rewriter.eraseOp(split);
    rewriter.eraseOp(xProj);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// Mamba-2: gated_rmsnorm(ssd_scan(split(conv1d+SiLU(xbc)))) on one token
/// → ssm.mamba2_step.
struct FuseMamba2Step : OpRewritePattern<GatedRMSNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedRMSNormOp norm, PatternRewriter &rewriter) const override {
    if (norm.getNormBeforeGate())
      return rewriter.notifyMatchFailure(norm, "the norm is applied before the gate");
    auto scan = norm.getInput().getDefiningOp<SSDScanOp>();
    if (!scan || norm.getInput() != scan.getResult() || !scan.getResult().hasOneUse())
      return rewriter.notifyMatchFailure(norm, "the input is not an ssd_scan output");
    auto x = llvm::cast<RankedTensorType>(scan.getX().getType());
    if (x.getDimSize(1) != 1)
      return rewriter.notifyMatchFailure(norm, "not a one-token function");
    if (scan.getZ() || !scan.getInitState())
      return rewriter.notifyMatchFailure(norm, "the scan has its own gate or no state");
    // x, B, C = split(conv1d+SiLU(xbc)) in that order, nothing in between.
    auto split = scan.getX().getDefiningOp<SplitOp>();
    if (!split || split.getNumResults() != 3 || scan.getX() != split.getResult(0) ||
        scan.getB() != split.getResult(1) || scan.getC() != split.getResult(2) ||
        split.getAxis() != 2 || !split.getResult(0).hasOneUse() ||
        !split.getResult(1).hasOneUse() || !split.getResult(2).hasOneUse())
      return rewriter.notifyMatchFailure(norm, "x, B and C are not one split");
    auto conv = split.getInput().getDefiningOp<CausalConv1dOp>();
    if (!conv || !conv.getSilu() || !conv.getInitState() || !conv.getResult().hasOneUse())
      return rewriter.notifyMatchFailure(norm, "x, B and C are not one conv1d+SiLU");

    rewriter.setInsertionPoint(norm);
    auto step = rewriter.create<Mamba2StepOp>(
        norm.getLoc(), norm.getType(), conv.getFinalState().getType(),
        scan.getFinalState().getType(), conv.getInput(), scan.getDt(), norm.getGate(),
        conv.getWeight(), conv.getInitState(), scan.getA(), scan.getInitState(), norm.getWeight(),
        conv.getBias(), scan.getD(), scan.getDtBias(), scan.getHeadsAttr(), scan.getHeadDimAttr(),
        scan.getGroupsAttr(), scan.getDtSoftplusAttr(), scan.getDtMinAttr(), scan.getDtMaxAttr(),
        norm.getEpsAttr(), norm.getGroupSizeAttr());
    rewriter.replaceAllUsesWith(conv.getFinalState(), step.getConvStateOut());
    rewriter.replaceAllUsesWith(scan.getFinalState(), step.getSsmStateOut());
    rewriter.replaceOp(norm, step.getResult());
    rewriter.eraseOp(scan);
    rewriter.eraseOp(split);
    rewriter.eraseOp(conv);
    return success();
  }
};

struct SSMFuseDecodeStep : mlir::ssm::impl::SSMFuseDecodeStepBase<SSMFuseDecodeStep> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseStep, FuseMamba2Step>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
