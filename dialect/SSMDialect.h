//===- SSMDialect.h - ssm dialect declaration -------------------*- C++ -*-===//
#ifndef SSMC_DIALECT_SSMDIALECT_H
#define SSMC_DIALECT_SSMDIALECT_H

#include "dialect/SSMAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "dialect/SSMDialect.h.inc"

namespace mlir::ssm {
/// The dialect loaded in |op|'s context: its discardable attribute helpers,
/// e.g. `ssmDialect(op).getOnceAttrHelper().isAttrPresent(op)`.
SSMDialect &ssmDialect(Operation *op);
} // namespace mlir::ssm

#endif // SSMC_DIALECT_SSMDIALECT_H
