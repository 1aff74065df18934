//===- AssignGPUTypes.cpp - element types of a function on the GPU --------===//
#include "codegen/cuda/CUDAPasses.h"

#include "passes/ValueRoles.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMASSIGNGPUTYPES
#include "codegen/cuda/CUDAPasses.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// Whether |use| reads its value as the matrix of a matrix product or the
/// embedding table.
bool isMatrixUse(OpOperand &use) {
  Operation *op = use.getOwner();
  Value v = use.get();
  if (auto linear = dyn_cast<LinearOp>(op))
    return linear.getWeight() == v;
  if (auto logits = dyn_cast<LogitsOp>(op))
    return logits.getWeight() == v;
  if (auto embedding = dyn_cast<EmbeddingOp>(op))
    return embedding.getTable() == v;
  if (auto step = dyn_cast<MambaStepOp>(op))
    return step.getXProj() == v || step.getDeltaProj() == v;
  if (auto scan = dyn_cast<SelectiveScanOp>(op))
    return scan.getDeltaProj() == v;
  // The experts' matrices; the router stays f32 (its logits decide which
  // experts run).
  if (auto moe = dyn_cast<MoEOp>(op))
    return llvm::is_contained(moe.getExperts(), v);
  return false;
}

/// Whether |result| is the residual stream, which stays f32.
bool isResidualStream(OpResult result) {
  Operation *op = result.getOwner();
  return isa<EmbeddingOp>(op) || (isa<AddRMSNormOp>(op) && result.getResultNumber() == 1);
}

void setElementType(Value v, Type element) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  v.setType(RankedTensorType::get(type.getShape(), element));
}

struct SSMAssignGPUTypes : mlir::ssm::impl::SSMAssignGPUTypesBase<SSMAssignGPUTypes> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    Type compute;
    if (dtype == "bf16")
      compute = BFloat16Type::get(ctx);
    else if (dtype == "fp16" || dtype == "f16")
      compute = Float16Type::get(ctx);
    else if (dtype == "fp32" || dtype == "f32")
      compute = Float32Type::get(ctx);
    else {
      func.emitError() << "unknown GPU dtype '" << dtype << "' (bf16, fp16 or fp32)";
      return signalPassFailure();
    }
    Type f32 = Float32Type::get(ctx);
    Block &body = func.getBody().front();
    // Activations passed in (run-op's one-op functions) arrive in the
    // compute dtype too.
    for (BlockArgument arg : body.getArguments())
      if (valueRole(arg) == ValueRole::Activation)
        setElementType(arg, compute);
    for (Operation &op : body) {
      if (isa<func::ReturnOp>(op))
        continue;
      if (isa<ParamOp>(op) || ssmDialect(&op).getOnceAttrHelper().isAttrPresent(&op)) {
        // Weight-only values are computed in f32 on the host; a parameter
        // takes the compute dtype where a matrix product reads it.
        Value v = op.getResult(0);
        if (isa<ParamOp>(op) && llvm::any_of(v.getUses(), isMatrixUse))
          setElementType(v, compute);
        continue;
      }
      if (isa<SplitOp, ReshapeOp>(op)) {
        Type input = llvm::cast<RankedTensorType>(op.getOperand(0).getType()).getElementType();
        for (Value r : op.getResults())
          setElementType(r, input);
        continue;
      }
      for (OpResult r : op.getResults())
        if (isActivation(r))
          setElementType(r, isResidualStream(r) ? f32 : compute);
      if (op.hasTrait<OpTrait::SameOperandsAndResultType>() &&
          llvm::any_of(op.getOperandTypes(),
                       [&](Type t) { return t != op.getResult(0).getType(); })) {
        op.emitError() << "mixes element types on the GPU (an activation and the residual "
                          "stream or a parameter); the CUDA target cannot type it";
        return signalPassFailure();
      }
    }
    func.setFunctionType(
        FunctionType::get(ctx, body.getArgumentTypes(), body.getTerminator()->getOperandTypes()));
  }
};

} // namespace
