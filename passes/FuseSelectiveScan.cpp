//===- FuseSelectiveScan.cpp - fold discretization, skip and gate ---------===//
//
// Each pattern folds one neighbour of an ssm.selective_scan into it and
// fires only where the result is exactly what the scan would compute.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMFUSESELECTIVESCAN
#include "passes/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// The operands and attributes of a scan, to rebuild it with some changed.
struct ScanParts {
  Value u, delta, A, B, C, D, z, deltaBias, deltaProj, initState, seqLens, deltaNorm, bNorm, cNorm;
  int64_t groups;
  bool softplus;
  FloatAttr normEps;

  explicit ScanParts(SelectiveScanOp op)
      : u(op.getU()), delta(op.getDelta()), A(op.getA()), B(op.getB()), C(op.getC()), D(op.getD()),
        z(op.getZ()), deltaBias(op.getDeltaBias()), deltaProj(op.getDeltaProj()),
        initState(op.getInitState()), seqLens(op.getSeqLens()), deltaNorm(op.getDeltaNorm()),
        bNorm(op.getBNorm()), cNorm(op.getCNorm()), groups(op.getGroups()),
        softplus(op.getDeltaSoftplus()), normEps(op.getNormEpsAttr()) {}

  /// Creates the scan at |old|'s position and replaces both of |old|'s
  /// results; returns the new op.
  SelectiveScanOp replace(PatternRewriter &rewriter, SelectiveScanOp old) const {
    rewriter.setInsertionPoint(old);
    auto op = rewriter.create<SelectiveScanOp>(
        old.getLoc(), old.getResult().getType(), old.getFinalState().getType(), u, delta, A, B, C,
        D, z, deltaBias, deltaProj, initState, seqLens, deltaNorm, bNorm, cNorm,
        rewriter.getI64IntegerAttr(groups), softplus ? rewriter.getUnitAttr() : UnitAttr(),
        normEps);
    rewriter.replaceOp(old, op.getResults());
    return op;
  }
};

/// softplus(δ) with torch's threshold 20 → delta_softplus. A bias already
/// folded would then be added after the softplus, so it must be absent.
struct FoldSoftplus : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp op, PatternRewriter &rewriter) const override {
    auto softplus = op.getDelta().getDefiningOp<SoftplusOp>();
    if (!softplus || op.getDeltaSoftplus() || op.getDeltaBias() || op.getDeltaProj() ||
        softplus.getThreshold().convertToDouble() != 20.0 || !softplus->hasOneUse())
      return rewriter.notifyMatchFailure(op, "delta is not a foldable softplus");
    ScanParts parts(op);
    parts.delta = softplus.getInput();
    parts.softplus = true;
    parts.replace(rewriter, op);
    return success();
  }
};

/// δ = linear(x, W, b) or δ = add(x, b) → delta_bias = b (inside the
/// softplus, where the reference adds it).
struct FoldDeltaBias : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp op, PatternRewriter &rewriter) const override {
    if (op.getDeltaBias() || op.getDeltaProj() || !op.getDelta().hasOneUse())
      return rewriter.notifyMatchFailure(op, "no delta bias to fold");
    ScanParts parts(op);
    if (auto linear = op.getDelta().getDefiningOp<LinearOp>()) {
      if (!linear.getBias())
        return rewriter.notifyMatchFailure(op, "linear has no bias");
      rewriter.setInsertionPoint(linear);
      parts.delta = rewriter.create<LinearOp>(linear.getLoc(), linear.getType(), linear.getInput(),
                                              linear.getWeight(), Value());
      parts.deltaBias = linear.getBias();
    } else if (auto add = op.getDelta().getDefiningOp<AddOp>()) {
      Value vec = isChannelVector(add.getRhs(), op.getDInner())   ? add.getRhs()
                  : isChannelVector(add.getLhs(), op.getDInner()) ? add.getLhs()
                                                                  : Value();
      Value other = vec == add.getRhs() ? add.getLhs() : add.getRhs();
      if (!vec || other.getType() != op.getDelta().getType())
        return rewriter.notifyMatchFailure(op, "add is not delta plus a [E] bias");
      parts.delta = other;
      parts.deltaBias = vec;
    } else {
      return rewriter.notifyMatchFailure(op, "delta has no bias");
    }
    parts.replace(rewriter, op);
    return success();
  }
};

/// δ = linear(dt, W) (no bias) → delta = dt, delta_proj = W.
struct FoldDeltaProj : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp op, PatternRewriter &rewriter) const override {
    auto linear = op.getDelta().getDefiningOp<LinearOp>();
    if (!linear || linear.getBias() || op.getDeltaProj() || !linear->hasOneUse() ||
        llvm::cast<RankedTensorType>(linear.getInput().getType()).getRank() != 3)
      return rewriter.notifyMatchFailure(op, "delta is not a bias-free projection");
    ScanParts parts(op);
    parts.delta = linear.getInput();
    parts.deltaProj = linear.getWeight();
    parts.replace(rewriter, op);
    return success();
  }
};

/// The scan whose output |v| is, when that output has no other use.
/// Jamba's RMSNorms on the low-rank δ (once dt_proj is folded), on B and on
/// C: the scan normalizes each row itself. All of one scan's share an eps.
struct FoldNorms : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp op, PatternRewriter &rewriter) const override {
    ScanParts parts(op);
    bool folded = false;
    for (auto [input, weight] :
         {std::pair(&parts.delta, &parts.deltaNorm), std::pair(&parts.B, &parts.bNorm),
          std::pair(&parts.C, &parts.cNorm)}) {
      auto norm = input->getDefiningOp<RMSNormOp>();
      bool isDelta = input == &parts.delta;
      if (!norm || *weight || !norm->hasOneUse() || (isDelta && !parts.deltaProj) ||
          (!isDelta && parts.groups != 1) || (parts.normEps && parts.normEps != norm.getEpsAttr()))
        continue;
      *input = norm.getInput();
      *weight = norm.getWeight();
      parts.normEps = norm.getEpsAttr();
      folded = true;
    }
    if (!folded)
      return rewriter.notifyMatchFailure(op, "no rmsnorm feeds the low-rank delta, B or C");
    parts.replace(rewriter, op);
    return success();
  }
};

SelectiveScanOp soleScanOutput(Value v) {
  auto scan = v.getDefiningOp<SelectiveScanOp>();
  if (!scan || v != scan.getResult() || !v.hasOneUse())
    return nullptr;
  return scan;
}

/// add(y, mul(u, D)) with the scan's own u and a [E] vector D → D. The gate
/// is applied after the skip, so it must not be folded yet.
struct FoldSkip : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    for (auto [y, other] :
         {std::pair(add.getLhs(), add.getRhs()), std::pair(add.getRhs(), add.getLhs())}) {
      SelectiveScanOp scan = soleScanOutput(y);
      auto mul = other.getDefiningOp<MulOp>();
      if (!scan || !mul || scan.getD() || scan.getZ() || add.getType() != y.getType())
        continue;
      Value d = mul.getLhs() == scan.getU()   ? mul.getRhs()
                : mul.getRhs() == scan.getU() ? mul.getLhs()
                                              : Value();
      if (!d || !isChannelVector(d, scan.getDInner()) || !availableBefore(d, scan))
        continue;
      ScanParts parts(scan);
      parts.D = d;
      SelectiveScanOp fused = parts.replace(rewriter, scan);
      rewriter.replaceOp(add, fused.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a scan output plus u*D");
  }
};

/// mul(y, silu(z)) → z. Any other gate (sigmoid, identity) is not the scan's.
struct FoldGate : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp mul, PatternRewriter &rewriter) const override {
    for (auto [y, other] :
         {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
      SelectiveScanOp scan = soleScanOutput(y);
      auto silu = other.getDefiningOp<SiluOp>();
      if (!scan || !silu || scan.getZ() || mul.getType() != y.getType() ||
          silu.getType() != y.getType() || !availableBefore(silu.getInput(), scan))
        continue;
      ScanParts parts(scan);
      parts.z = silu.getInput();
      SelectiveScanOp fused = parts.replace(rewriter, scan);
      rewriter.replaceOp(mul, fused.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "not a scan output times silu(z)");
  }
};

struct SSMFuseSelectiveScan : mlir::ssm::impl::SSMFuseSelectiveScanBase<SSMFuseSelectiveScan> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldSoftplus, FoldDeltaBias, FoldSkip, FoldGate, FoldNorms>(&getContext());
    if (foldDeltaProj)
      patterns.add<FoldDeltaProj>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
