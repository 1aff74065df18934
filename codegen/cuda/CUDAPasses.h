//===- CUDAPasses.h - CUDA code generation passes ----------------*- C++ -*-===//
#ifndef SSMC_CODEGEN_CUDA_CUDAPASSES_H
#define SSMC_CODEGEN_CUDA_CUDAPASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace mlir::ssm {

#define GEN_PASS_DECL
#include "codegen/cuda/CUDAPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cuda/CUDAPasses.h.inc"

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CUDA_CUDAPASSES_H
