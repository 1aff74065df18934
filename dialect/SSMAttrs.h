//===- SSMAttrs.h - ssm dialect attributes ----------------------*- C++ -*-===//
#ifndef SSMC_DIALECT_SSMATTRS_H
#define SSMC_DIALECT_SSMATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialect/SSMEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/SSMAttrs.h.inc"

#endif // SSMC_DIALECT_SSMATTRS_H
