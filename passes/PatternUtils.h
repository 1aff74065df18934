//===- PatternUtils.h - small predicates shared by fusion patterns -*- C++ -*-===//
#ifndef SSMC_PASSES_PATTERNUTILS_H
#define SSMC_PASSES_PATTERNUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

namespace mlir::ssm {

/// Whether |v| is a rank-1 tensor of |channels| elements (a per-channel
/// vector such as D or a bias).
inline bool isChannelVector(Value v, int64_t channels) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 1 && type.getDimSize(0) == channels;
}

/// Whether |v| is defined before |op| (so |op| may be rebuilt in place with
/// |v| as an operand): a block argument of an enclosing block, or a result of
/// an op earlier in |op|'s block.
inline bool availableBefore(Value v, Operation *op) {
  if (auto arg = llvm::dyn_cast<BlockArgument>(v))
    return arg.getOwner()->getParentOp()->isAncestor(op);
  Operation *def = v.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

} // namespace mlir::ssm

#endif // SSMC_PASSES_PATTERNUTILS_H
