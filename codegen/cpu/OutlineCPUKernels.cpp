//===- OutlineCPUKernels.cpp - one kernel function per distinct op --------===//
#include "codegen/cpu/CPUKernels.h"
#include "codegen/cpu/CPUPasses.h"

#include "dialect/SSMOps.h"

#include "llvm/ADT/StringMap.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMOUTLINECPUKERNELS
#include "codegen/cpu/CPUPasses.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

const char *parallelName(KernelParallel p) {
  switch (p) {
  case KernelParallel::Rows: return "rows";
  case KernelParallel::BatchBlocks: return "batch_blocks";
  case KernelParallel::Batch: return "batch";
  }
  return "rows";
}

struct SSMOutlineCPUKernels : mlir::ssm::impl::SSMOutlineCPUKernelsBase<SSMOutlineCPUKernels> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    CPUTarget target = CPUTarget::host();
    if (vectorWidth > 0)
      target = target.withVectorWidth(vectorWidth);
    OpBuilder builder(module.getBodyRegion());
    builder.setInsertionPointToEnd(module.getBody());

    llvm::StringMap<std::string> names; // kernel key -> function name
    SmallVector<func::FuncOp> modelFuncs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func->hasAttr("ssm.kernel_parallel"))
        modelFuncs.push_back(func);
    for (func::FuncOp func : modelFuncs) {
      WalkResult result = func.walk([&](Operation *op) {
        std::string key = cpuKernelKey(op, target);
        if (key.empty())
          return WalkResult::advance();
        auto it = names.find(key);
        if (it == names.end()) {
          std::string name = "ssm_" + op->getName().stripDialect().str() + "_" +
                             std::to_string(names.size());
          FailureOr<KernelSpec> spec = buildCPUKernel(builder, op, name, target);
          if (failed(spec)) {
            op->emitOpError() << "could not build a CPU kernel";
            return WalkResult::interrupt();
          }
          auto kernel = module.lookupSymbol<func::FuncOp>(name);
          kernel->setAttr("ssm.kernel_parallel", builder.getStringAttr(parallelName(spec->parallel)));
          kernel->setAttr("ssm.kernel_blocks", builder.getI64IntegerAttr(spec->blocks));
          kernel->setAttr("ssm.kernel_phases", builder.getI64IntegerAttr(spec->phases));
          kernel->setAttr("ssm.kernel_workspace", builder.getI64IntegerAttr(spec->workspace));
          it = names.insert({key, name}).first;
        }
        op->setAttr("ssm.kernel", builder.getStringAttr(it->second));
        return WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
    module->setAttr("ssm.cpu_vector_width", builder.getI64IntegerAttr(target.vectorWidth));
  }
};

} // namespace

OwningOpRef<ModuleOp> mlir::ssm::extractKernels(ModuleOp module) {
  OwningOpRef<ModuleOp> kernels = ModuleOp::create(module.getLoc());
  OpBuilder builder(kernels->getBodyRegion());
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr("ssm.kernel_parallel"))
      builder.clone(*func);
  return kernels;
}
