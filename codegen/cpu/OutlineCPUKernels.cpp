//===- OutlineCPUKernels.cpp - one kernel function per distinct op --------===//
#include "codegen/OpLowering.h"
#include "codegen/cpu/CPUKernels.h"
#include "codegen/cpu/CPUPasses.h"
#include "codegen/cpu/CPUTiles.h"

#include "dialect/SSMOps.h"

#include "llvm/ADT/StringMap.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMOUTLINECPUKERNELS
#include "codegen/cpu/CPUPasses.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

struct SSMOutlineCPUKernels : mlir::ssm::impl::SSMOutlineCPUKernelsBase<SSMOutlineCPUKernels> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    CPUTarget target = CPUTarget::host();
    if (vectorWidth > 0)
      target = target.withVectorWidth(vectorWidth);
    OpBuilder builder(module.getBodyRegion());
    builder.setInsertionPointToEnd(module.getBody());
    SSMDialect &dialect = ssmDialect(module);

    llvm::StringMap<std::string> names; // kernel key -> function name
    SmallVector<func::FuncOp> modelFuncs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!dialect.getCpuKernelAttrHelper().isAttrPresent(func))
        modelFuncs.push_back(func);
    for (func::FuncOp func : modelFuncs) {
      WalkResult result = func.walk([&](Operation *op) {
        if (opInfoOf(op) &&
            loweringOf(op, LoweringTarget::cpu(cpuTilesOf(op, target).vectorWidth)) ==
                Lowering::Reference) {
          if (!referenceFallback) {
            op->emitError() << "'" << op->getName()
                            << "' has no CPU kernel (it would run in the float64 reference "
                               "interpreter)";
            return WalkResult::interrupt();
          }
          dialect.getReferenceAttrHelper().setAttr(op, builder.getUnitAttr());
          return WalkResult::advance();
        }
        std::string key = cpuKernelKey(op, target);
        if (key.empty())
          return WalkResult::advance();
        auto it = names.find(key);
        if (it == names.end()) {
          std::string name =
              "ssm_" + op->getName().stripDialect().str() + "_" + std::to_string(names.size());
          FailureOr<KernelSpec> spec = buildCPUKernel(builder, op, name, target);
          if (failed(spec)) {
            op->emitOpError() << "could not build a CPU kernel";
            return WalkResult::interrupt();
          }
          auto kernel = module.lookupSymbol<func::FuncOp>(name);
          CPUTiles tiles = cpuTilesOf(op, target);
          if (tiles.vectorWidth > target.vectorWidth) {
            op->emitOpError() << "has CPU tile vector_width " << tiles.vectorWidth
                              << ", more lanes than this CPU's " << target.vectorWidth;
            return WalkResult::interrupt();
          }
          dialect.getCpuKernelAttrHelper().setAttr(
              kernel,
              CPUKernelAttr::get(builder.getContext(), spec->parallel, spec->blocks, spec->phases,
                                 spec->workspace, tiles.chunksPerThread, tiles.tuned));
          it = names.insert({key, name}).first;
        }
        dialect.getKernelAttrHelper().setAttr(op, builder.getStringAttr(it->second));
        return WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
    dialect.getCpuVectorWidthAttrHelper().setAttr(module,
                                                  builder.getI64IntegerAttr(target.vectorWidth));
  }
};

} // namespace

OwningOpRef<ModuleOp> mlir::ssm::extractKernels(ModuleOp module) {
  OwningOpRef<ModuleOp> kernels = ModuleOp::create(module.getLoc());
  OpBuilder builder(kernels->getBodyRegion());
  auto spec = ssmDialect(module).getCpuKernelAttrHelper();
  for (auto func : module.getOps<func::FuncOp>())
    if (spec.isAttrPresent(func)) {
      // The copy goes to LLVM; the runtime reads the spec from the original.
      Operation *copy = builder.clone(*func);
      spec.removeAttr(copy);
    }
  return kernels;
}
