//===- SSMOperands.cpp - operands in ODS order, absent ones as null -------===//
#include "dialect/SSMOperands.h"
#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

SmallVector<Value> mlir::ssm::odsOperands(Operation *op) {
  if (auto linear = dyn_cast<LinearOp>(op))
    return {linear.getInput(), linear.getWeight(), linear.getBias()};
  if (auto conv = dyn_cast<CausalConv1dOp>(op))
    return {conv.getInput(), conv.getWeight(), conv.getBias(), conv.getInitState(),
            conv.getSeqLens()};
  if (auto scan = dyn_cast<SelectiveScanOp>(op))
    return {scan.getU(),         scan.getDelta(),     scan.getA(),         scan.getB(),
            scan.getC(),         scan.getD(),         scan.getZ(),         scan.getDeltaBias(),
            scan.getDeltaProj(), scan.getInitState(), scan.getSeqLens()};
  if (auto ssd = dyn_cast<SSDScanOp>(op))
    return {ssd.getX(), ssd.getDt(), ssd.getA(),      ssd.getB(),         ssd.getC(),
            ssd.getD(), ssd.getZ(),  ssd.getDtBias(), ssd.getInitState(), ssd.getSeqLens()};
  if (auto step = dyn_cast<MambaStepOp>(op))
    return {step.getX(),        step.getZ(),         step.getConvWeight(), step.getConvState(),
            step.getXProj(),    step.getDeltaProj(), step.getDeltaBias(),  step.getA(),
            step.getSsmState(), step.getConvBias(),  step.getD()};
  if (auto attn = dyn_cast<AttentionOp>(op))
    return {attn.getQ(),      attn.getK(),      attn.getV(),
            attn.getKCache(), attn.getVCache(), attn.getSeqLens()};
  return SmallVector<Value>(op->getOperands());
}
