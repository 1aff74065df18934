//===- ssmc-opt.cpp - mlir-opt for the ssm dialect and ssmc passes --------===//
#include "codegen/cpu/CPUPasses.h"
#include "codegen/driver/Pipelines.h"
#include "dialect/SSMDialect.h"
#include "tools/cli/Version.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::ssm::SSMDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::vector::VectorDialect>();
  ssmc::registerCompilerPassesAndPipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << ssmc::cli::versionText("ssmc-opt", "(the LLVM above)"); });
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "ssmc optimizer driver: the ssm dialect and its passes\n", registry));
}
