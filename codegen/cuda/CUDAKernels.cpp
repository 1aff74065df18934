//===- CUDAKernels.cpp - which ops get CUDA kernels; emitting them --------===//
#include "codegen/cuda/CUDAKernels.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
bool isActivationValue(Value v) { return valueRole(v) == ValueRole::Activation; }
} // namespace

CudaHandling mlir::ssm::cudaHandling(Operation *op) {
  if (ssmDialect(op).getOnceAttrHelper().isAttrPresent(op))
    return CudaHandling::Once;
  if (isa<EmbeddingOp, RMSNormOp, AddRMSNormOp, CausalConv1dOp, MambaStepOp>(op))
    return CudaHandling::Kernel;
  if (auto scan = dyn_cast<SelectiveScanOp>(op))
    return scan.getGroups() == 1 ? CudaHandling::Kernel : CudaHandling::Unsupported;
  if (auto linear = dyn_cast<LinearOp>(op))
    return linear.getBias() ? CudaHandling::Unsupported : CudaHandling::Library;
  if (isa<LogitsOp>(op))
    return CudaHandling::Library;
  if (isa<SplitOp, ReshapeOp>(op))
    return isActivationValue(op->getOperand(0)) ? CudaHandling::View : CudaHandling::Unsupported;
  if (isa<NegOp, ExpOp, SiluOp, SoftplusOp>(op))
    return isActivationValue(op->getOperand(0)) ? CudaHandling::Kernel : CudaHandling::Unsupported;
  if (isa<AddOp, MulOp>(op)) {
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    if (!isActivationValue(lhs))
      return CudaHandling::Unsupported;
    if (isActivationValue(rhs))
      return CudaHandling::Kernel;
    auto rhsType = llvm::cast<RankedTensorType>(rhs.getType());
    bool vector = valueRole(rhs) == ValueRole::Weight && rhsType.getRank() == 1 &&
                  rhsType.getDimSize(0) == rowWidth(lhs);
    return vector ? CudaHandling::Kernel : CudaHandling::Unsupported;
  }
  return CudaHandling::Unsupported;
}

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
      CudaHandling handling = cudaHandling(&op);
      if (handling == CudaHandling::Unsupported)
        return op.emitError() << "'" << op.getName()
                              << "' has no CUDA implementation yet; compile for --target cpu";
      if (handling != CudaHandling::Kernel)
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
