//===- Compiler.h - from an elaborated model to a Program -------*- C++ -*-===//
//
// The compiler's stages, each visible from `ssmc compile --emit=`:
//   lower    the model in the ssm dialect (kept as the reference function)
//   fuse     @decode added, fusion passes, memory plan
//   gpu      (CUDA targets) a copy of the fused functions retyped for the
//            GPU, tiled, and their CUDA kernels emitted
//   outline  CPU kernel functions (scf/vector/memref)
//   program  kernels lowered to LLVM, compiled to a shared object, and the
//            runtime's Program (the content of a .ssmx artifact)
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_DRIVER_COMPILER_H
#define SSMC_CODEGEN_DRIVER_COMPILER_H

#include "codegen/cpu/CPUTarget.h"
#include "codegen/driver/ModelDiagnostics.h"
#include "frontend/Graph.h"
#include "frontend/Source.h"
#include "runtime/artifact/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace ssmc {

struct CompileOptions {
  bool foldDeltaProj = true;
  int vectorWidth = 0; ///< 0: the host CPU's
  bool cuda = false;   ///< also generate CUDA kernels
  std::string gpuDtype = "bf16";
  /// Ops without a CPU kernel run in the runtime's float64 reference
  /// interpreter; when false, each is an error at the op.
  bool referenceFallback = true;
  /// A tuning database (docs/tuning.md) whose configurations the CPU
  /// kernels are built with (--ssm-apply-cpu-tuning), or "" for the
  /// defaults.
  std::string tuningDb;
};

class Compiler {
public:
  Compiler(mlir::MLIRContext &context, const fe::Graph &graph, const fe::SourceManager &sources,
           CompileOptions options = {});

  mlir::LogicalResult lower();
  mlir::LogicalResult fuse();
  /// CUDA targets, after fuse(): the GPU functions and their kernels.
  mlir::LogicalResult lowerCUDA();
  mlir::LogicalResult outline();
  /// The ops of @forward and @decode that outline() left to the runtime's
  /// float64 reference interpreter (marked `ssm.reference`).
  std::vector<ssmrt::OpCode> referenceOps();
  /// The kernels as optimized LLVM IR (after outline()).
  mlir::FailureOr<std::string> kernelsLLVMIR();
  /// Compiles the kernels and builds the Program (after outline()).
  mlir::FailureOr<ssmrt::Program> buildProgram();

  mlir::ModuleOp module() { return *module_; }
  /// The GPU-typed, tiled functions (after lowerCUDA()).
  mlir::ModuleOp gpuModule() { return *gpuModule_; }
  const std::vector<ssmrt::CudaKernelDesc> &cudaKernels() const { return cudaKernels_; }
  /// Why the last stage failed, when MLIR did not already report it.
  const std::string &error() const { return error_; }
  const mlir::ssm::CPUTarget &target() const { return target_; }

private:
  mlir::MLIRContext &context_;
  const fe::Graph &graph_;
  const fe::SourceManager &sources_;
  ModelDiagnostics diagnostics_;
  CompileOptions options_;
  mlir::ssm::CPUTarget target_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  mlir::OwningOpRef<mlir::ModuleOp> reference_;
  mlir::OwningOpRef<mlir::ModuleOp> gpuModule_;
  std::vector<ssmrt::CudaKernelDesc> cudaKernels_;
  std::string error_;
};

/// Registers the dialects every stage needs with |context|.
void loadCompilerDialects(mlir::MLIRContext &context);

} // namespace ssmc

#endif // SSMC_CODEGEN_DRIVER_COMPILER_H
