//===- ssmc-opt.cpp - mlir-opt for the ssm dialect and ssmc passes --------===//
#include "codegen/cpu/CPUPasses.h"
#include "codegen/driver/Pipelines.h"
#include "dialect/SSMDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::ssm::SSMDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::vector::VectorDialect>();
  ssmc::registerCompilerPassesAndPipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "ssmc optimizer driver: the ssm dialect and its passes\n", registry));
}
