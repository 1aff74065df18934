//===- SSMOpTable.h - the op table, seen from the dialect -------*- C++ -*-===//
//
// The ssm ops' entries in runtime/artifact/Ops.def, for code that holds an
// mlir::Operation: operands in ODS order (the order of kernel arguments and
// of artifact instructions) and which results are recurrent state.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_DIALECT_SSMOPTABLE_H
#define SSMC_DIALECT_SSMOPTABLE_H

#include "runtime/artifact/OpInfo.h"

#include "mlir/IR/Operation.h"

namespace mlir::ssm {

/// The table entry of |op|, or null for ssm.param and ops of other dialects.
const ssmrt::OpInfo *opInfoOf(Operation *op);

/// The operands of an ssm op aligned with its ODS operand list: an absent
/// optional operand is a null Value, so position i always means the same
/// operand (e.g. selective_scan: u, delta, A, B, C, D, z, delta_bias,
/// delta_proj, init_state, seq_lens). Variadic operands (concat inputs, moe
/// experts) appear in full.
SmallVector<Value> odsOperands(Operation *op);

/// Whether |result| carries recurrent state (RecurrentStateOpInterface).
bool isStateResult(OpResult result);

namespace detail {
// The RecurrentStateOpInterface implementation, from the op table.
SmallVector<OpResult> stateResults(Operation *op);
SmallVector<Value> initialStates(Operation *op);
} // namespace detail

} // namespace mlir::ssm

#endif // SSMC_DIALECT_SSMOPTABLE_H
