//===- SSMDialect.cpp - ssm dialect registration --------------------------===//
#include "dialect/SSMDialect.h"
#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

#include "dialect/SSMDialect.cpp.inc"
#include "dialect/SSMInterfaces.cpp.inc"

void SSMDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialect/SSMOps.cpp.inc"
      >();
}
