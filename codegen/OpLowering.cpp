//===- OpLowering.cpp - how each op of a model runs on each target --------===//
#include "codegen/OpLowering.h"

#include "dialect/SSMOps.h"
#include "passes/ValueRoles.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

bool isActivationValue(Value v) { return valueRole(v) == ValueRole::Activation; }

/// Elementwise ops run as row kernels when they read token rows: unary ops
/// on an activation; binary ops on two activations of the result's type, or
/// an activation and a weight vector as wide as its rows.
bool elementwiseHasKernel(Operation *op, ssmrt::OpForm form) {
  if (form == ssmrt::OpForm::Unary)
    return llvm::all_of(op->getOperands(), isActivationValue);
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (!isActivationValue(lhs) || lhs.getType() != op->getResult(0).getType())
    return false;
  if (isActivationValue(rhs))
    return rhs.getType() == lhs.getType();
  auto rhsType = llvm::cast<RankedTensorType>(rhs.getType());
  return valueRole(rhs) == ValueRole::Weight && rhsType.getRank() == 1 &&
         rhsType.getDimSize(0) == rowWidth(lhs) &&
         llvm::cast<RankedTensorType>(lhs.getType()).getRank() == 3;
}

bool hasKernel(Operation *op, const LoweringTarget &target) {
  const ssmrt::OpInfo *info = opInfoOf(op);
  if (!info)
    return false;
  if (info->form == ssmrt::OpForm::Unary || info->form == ssmrt::OpForm::Binary)
    return elementwiseHasKernel(op, info->form);
  if (isa<EmbeddingOp, RMSNormOp, AddRMSNormOp, CausalConv1dOp, MambaStepOp, Mamba2StepOp>(op))
    return true;
  if (auto scan = dyn_cast<SelectiveScanOp>(op)) {
    if (scan.getGroups() == 1)
      return true;
    // Grouped B/C: the CPU kernel's channel blocks must not straddle groups.
    return target.kind == LoweringTarget::Kind::CPU &&
           (scan.getDInner() / scan.getGroups()) % target.vectorWidth == 0;
  }
  if (isa<SSDScanOp, GatedRMSNormOp>(op))
    return isActivationValue(op->getOperand(0)) && isActivationValue(op->getOperand(1));
  return false;
}

} // namespace

Lowering mlir::ssm::loweringOf(Operation *op, const LoweringTarget &target) {
  bool cuda = target.kind == LoweringTarget::Kind::CUDA;
  if (ssmDialect(op).getOnceAttrHelper().isAttrPresent(op))
    return Lowering::Once;
  if (auto linear = dyn_cast<LinearOp>(op))
    return cuda && linear.getBias() ? Lowering::Unsupported : Lowering::Library;
  if (isa<LogitsOp>(op))
    return Lowering::Library;
  // The CPU runtime's MixtureOfExperts (matrix products per expert) and
  // Attention (tiled products over the KV caches it keeps); on CUDA, both
  // are generated kernels (attention without rotary embedding so far).
  if (isa<MoEOp>(op))
    return cuda ? Lowering::Kernel : Lowering::Library;
  if (auto attention = dyn_cast<AttentionOp>(op))
    return !cuda                          ? Lowering::Library
           : attention.getRopeThetaAttr() ? Lowering::Unsupported
                                          : Lowering::Kernel;
  if (isa<SplitOp, ReshapeOp>(op) && isActivationValue(op->getOperand(0)))
    return Lowering::View;
  if (hasKernel(op, target))
    return Lowering::Kernel;
  return cuda ? Lowering::Unsupported : Lowering::Reference;
}

const char *mlir::ssm::loweringName(Lowering lowering) {
  switch (lowering) {
  case Lowering::Kernel: return "kernel";
  case Lowering::Library: return "library";
  case Lowering::View: return "view";
  case Lowering::Once: return "once";
  case Lowering::Reference: return "reference";
  case Lowering::Unsupported: return "unsupported";
  }
  return "unsupported";
}
