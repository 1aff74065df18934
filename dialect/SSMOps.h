//===- SSMOps.h - ssm dialect operations ------------------------*- C++ -*-===//
#ifndef SSMC_DIALECT_SSMOPS_H
#define SSMC_DIALECT_SSMOPS_H

#include "dialect/SSMDialect.h"
#include "dialect/SSMInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialect/SSMOps.h.inc"

#endif // SSMC_DIALECT_SSMOPS_H
