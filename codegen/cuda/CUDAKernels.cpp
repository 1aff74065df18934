//===- CUDAKernels.cpp - which ops get CUDA kernels; emitting them --------===//
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/OpLowering.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::ssm;

LogicalResult mlir::ssm::emitCUDAKernels(ModuleOp module,
                                         std::vector<ssmrt::CudaKernelDesc> &kernels) {
  llvm::StringSet<> seen;
  for (StringRef name : {"forward", "decode"}) {
    auto func = module.lookupSymbol<func::FuncOp>(name);
    if (!func)
      continue;
    for (Operation &op : func.getBody().front()) {
      if (!isa<SSMDialect>(op.getDialect()) || isa<ParamOp>(op))
        continue;
      Lowering lowering = loweringOf(&op, LoweringTarget::cuda());
      if (lowering == Lowering::Unsupported)
        return op.emitError() << "'" << op.getName()
                              << "' has no CUDA implementation yet; compile for --target cpu";
      if (lowering != Lowering::Kernel)
        continue;
      ssmrt::CudaKernelDesc kernel;
      if (auto conv = dyn_cast<CausalConv1dOp>(op))
        kernel = emitConvKernel(conv);
      else if (auto scan = dyn_cast<SelectiveScanOp>(op))
        kernel = emitScanKernel(scan);
      else if (auto step = dyn_cast<MambaStepOp>(op))
        kernel = emitStepKernel(step);
      else
        kernel = emitRowKernel(&op);
      ssmDialect(&op).getKernelAttrHelper().setAttr(&op, StringAttr::get(op.getContext(), kernel.name));
      if (seen.insert(kernel.name).second)
        kernels.push_back(std::move(kernel));
    }
  }
  return success();
}
