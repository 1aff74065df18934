//===- SSMDialect.h - ssm dialect declaration -------------------*- C++ -*-===//
#ifndef SSMC_DIALECT_SSMDIALECT_H
#define SSMC_DIALECT_SSMDIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "dialect/SSMDialect.h.inc"

#endif // SSMC_DIALECT_SSMDIALECT_H
