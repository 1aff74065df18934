//===- SSMOperands.h - operands in ODS order, absent ones as null -*- C++ -*-===//
#ifndef SSMC_DIALECT_SSMOPERANDS_H
#define SSMC_DIALECT_SSMOPERANDS_H

#include "mlir/IR/Operation.h"

namespace mlir::ssm {

/// The operands of an ssm op aligned with its ODS operand list: an absent
/// optional operand is a null Value, so position i always means the same
/// operand (e.g. selective_scan: u, delta, A, B, C, D, z, delta_bias,
/// delta_proj, init_state, seq_lens). Variadic operands (concat inputs, moe
/// experts) appear in full. This is the operand order of kernels and of
/// artifact instructions.
SmallVector<Value> odsOperands(Operation *op);

} // namespace mlir::ssm

#endif // SSMC_DIALECT_SSMOPERANDS_H
