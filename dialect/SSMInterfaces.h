//===- SSMInterfaces.h - ssm op interfaces ----------------------*- C++ -*-===//
#ifndef SSMC_DIALECT_SSMINTERFACES_H
#define SSMC_DIALECT_SSMINTERFACES_H

#include "dialect/SSMOpTable.h"

#include "mlir/IR/OpDefinition.h"

#include "dialect/SSMInterfaces.h.inc"

#endif // SSMC_DIALECT_SSMINTERFACES_H
