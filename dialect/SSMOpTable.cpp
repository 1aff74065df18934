//===- SSMOpTable.cpp - the op table, seen from the dialect ---------------===//
#include "dialect/SSMOpTable.h"
#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

const ssmrt::OpInfo *mlir::ssm::opInfoOf(Operation *op) {
  if (!isa<SSMDialect>(op->getDialect()))
    return nullptr;
  return ssmrt::findOp(op->getName().stripDialect());
}

SmallVector<Value> mlir::ssm::odsOperands(Operation *op) {
  const ssmrt::OpInfo *info = opInfoOf(op);
  if (!info)
    return SmallVector<Value>(op->getOperands());
  // Sizes per ODS operand: from operandSegmentSizes when the op has more
  // than one optional or variadic operand; else one each, and the rest for
  // the one optional or variadic operand.
  SmallVector<int32_t> sizes;
  auto segments = llvm::dyn_cast_if_present<DenseI32ArrayAttr>(
      op->getInherentAttr("operandSegmentSizes").value_or(Attribute()));
  if (segments) {
    sizes.assign(segments.asArrayRef().begin(), segments.asArrayRef().end());
  } else {
    int32_t rest = static_cast<int32_t>(op->getNumOperands());
    for (const ssmrt::OperandInfo &o : info->operands)
      rest -= o.arity == ssmrt::Arity::One;
    for (const ssmrt::OperandInfo &o : info->operands)
      sizes.push_back(o.arity == ssmrt::Arity::One ? 1 : rest);
  }
  SmallVector<Value> out;
  unsigned next = 0;
  for (auto [o, size] : llvm::zip(info->operands, sizes)) {
    if (o.arity == ssmrt::Arity::Optional && size == 0)
      out.push_back(Value());
    for (int32_t i = 0; i < size; ++i)
      out.push_back(op->getOperand(next++));
  }
  return out;
}

SmallVector<OpResult> mlir::ssm::detail::stateResults(Operation *op) {
  SmallVector<OpResult> out;
  const ssmrt::OpInfo *info = opInfoOf(op);
  for (auto [i, r] : llvm::enumerate(info->results))
    if (r.isState())
      out.push_back(op->getResult(i));
  return out;
}

SmallVector<Value> mlir::ssm::detail::initialStates(Operation *op) {
  SmallVector<Value> out;
  const ssmrt::OpInfo *info = opInfoOf(op);
  for (auto [o, v] : llvm::zip(info->operands, odsOperands(op)))
    if (o.role == ssmrt::OperandRole::State)
      out.push_back(v);
  return out;
}

bool mlir::ssm::isStateResult(OpResult result) {
  auto op = dyn_cast<RecurrentStateOpInterface>(result.getOwner());
  return op && llvm::is_contained(op.getStateResults(), result);
}
