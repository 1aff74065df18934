//===- ValueRoles.h - what a value is: activation, state, weight -*- C++ -*-===//
//
// Shared by the memory planner, the kernel outliners and the program
// builder: which values are token-row activations, weights, states or ids.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_PASSES_VALUEROLES_H
#define SSMC_PASSES_VALUEROLES_H

#include "dialect/SSMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::ssm {

/// Whether |result| is a token-row activation [batch, seq, features...]
/// (logits excepted: the runtime writes only the rows it is asked for).
inline bool isActivation(OpResult result) {
  auto type = llvm::dyn_cast<RankedTensorType>(result.getType());
  return type && type.getRank() >= 3 && type.isDynamicDim(0) && !isStateResult(result) &&
         !isa<LogitsOp>(result.getOwner());
}

/// Floats per token row of an activation: the product of its feature dims.
inline int64_t rowWidth(Value value) {
  auto type = llvm::cast<RankedTensorType>(value.getType());
  int64_t width = 1;
  for (int64_t d = 2; d < type.getRank(); ++d)
    width *= type.getDimSize(d);
  return width;
}

/// How a kernel receives a value (docs/artifact.md, kernel ABIs).
enum class ValueRole {
  Absent,     ///< an optional operand that is not there
  Activation, ///< token rows in a planned buffer
  Weight,     ///< a parameter or a weight-only (`once`) result
  State,      ///< a recurrent state or KV cache, [batch, per-sequence shape]
  Ids,        ///< token ids or sequence lengths
};

inline ValueRole valueRole(Value v) {
  if (!v)
    return ValueRole::Absent;
  auto type = llvm::cast<RankedTensorType>(v.getType());
  if (type.getElementType().isInteger(32))
    return ValueRole::Ids;
  if (Operation *def = v.getDefiningOp()) {
    if (isa<ParamOp>(def) || def->hasAttr(SSMDialect::OnceAttrHelper::getNameStr()))
      return ValueRole::Weight;
    return isStateResult(llvm::cast<OpResult>(v)) ? ValueRole::State : ValueRole::Activation;
  }
  auto arg = llvm::cast<BlockArgument>(v);
  auto func = llvm::dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
  if (func && func.getArgAttr(arg.getArgNumber(), SSMDialect::StateAttrHelper::getNameStr()))
    return ValueRole::State;
  return ValueRole::Activation;
}

} // namespace mlir::ssm

#endif // SSMC_PASSES_VALUEROLES_H
