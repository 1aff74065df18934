//===- CPUPasses.h - CPU code generation passes and entry points -*- C++ -*-===//
#ifndef SSMC_CODEGEN_CPU_CPUPASSES_H
#define SSMC_CODEGEN_CPU_CPUPASSES_H

#include "codegen/cpu/CPUTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <string>
#include <vector>

namespace mlir::ssm {

#define GEN_PASS_DECL
#include "codegen/cpu/CPUPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cpu/CPUPasses.h.inc"

/// A new module holding copies of the kernel functions of |module| (the
/// functions tagged `ssm.cpu_kernel`), without that attribute.
OwningOpRef<ModuleOp> extractKernels(ModuleOp module);

/// Lowers a module of kernel functions to the LLVM dialect (math
/// approximations, scf, vector, memref, func, cf to LLVM).
LogicalResult lowerKernelsToLLVMDialect(ModuleOp kernels);

/// Translates a module in the LLVM dialect to optimized LLVM IR for
/// |target|, with a `<name>_packed(void **args)` entry point per kernel.
FailureOr<std::string> kernelsToLLVMIR(ModuleOp llvmDialect, const CPUTarget &target,
                                       std::string &error);

/// Compiles a module in the LLVM dialect to an ELF shared object for
/// |target|: LLVM's target machine, then the system linker (`cc -shared`).
FailureOr<std::vector<uint8_t>> kernelsToSharedObject(ModuleOp llvmDialect, const CPUTarget &target,
                                                      std::string &error);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CPU_CPUPASSES_H
