//===- ProgramBuilder.h - the ssm dialect as a runtime Program --*- C++ -*-===//
#ifndef SSMC_CODEGEN_DRIVER_PROGRAMBUILDER_H
#define SSMC_CODEGEN_DRIVER_PROGRAMBUILDER_H

#include "runtime/artifact/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace ssmc {

/// Builds the runtime Program from |compiled| (@forward and @decode, fused,
/// planned, kernels outlined) and |reference| (@forward as lowered from the
/// model file), and, when |gpu| is not null, the CUDA section from its
/// GPU-typed functions and |cudaKernels|. The CPU code itself is filled in
/// by the caller.
mlir::FailureOr<ssmrt::Program>
buildRuntimeProgram(mlir::ModuleOp compiled, mlir::ModuleOp reference, mlir::ModuleOp gpu,
                    const std::vector<ssmrt::CudaKernelDesc> &cudaKernels, std::string &error);

/// The attributes of ssm op |op| as an instruction carries them: every
/// attribute of the op table, its default applied.
std::vector<ssmrt::Attr> instructionAttrs(mlir::Operation *op);

/// The CPU kernel functions of |module| (tagged `ssm.cpu_kernel`) as the
/// runtime describes them, in module order; |index| maps each function's
/// name to its position.
std::vector<ssmrt::KernelDesc> cpuKernelDescs(mlir::ModuleOp module,
                                              llvm::StringMap<int32_t> &index);

/// The element type of value |v| in memory.
ssmrt::ValueType valueTypeOf(mlir::Value v);

} // namespace ssmc

#endif // SSMC_CODEGEN_DRIVER_PROGRAMBUILDER_H
