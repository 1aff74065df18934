//===- AssignCUDAKernels.cpp - the CUDA kernel of every kernel op ---------===//
#include "codegen/OpLowering.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/CUDAPasses.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMASSIGNCUDAKERNELS
#include "codegen/cuda/CUDAPasses.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

struct SSMAssignCUDAKernels : mlir::ssm::impl::SSMAssignCUDAKernelsBase<SSMAssignCUDAKernels> {
  void runOnOperation() override {
    auto kernel = ssmDialect(getOperation()).getKernelAttrHelper();
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (!opInfoOf(op))
        return WalkResult::advance();
      Lowering lowering = loweringOf(op, LoweringTarget::cuda());
      if (lowering == Lowering::Unsupported) {
        op->emitError() << "'" << op->getName()
                        << "' has no CUDA implementation yet; compile for --target cpu";
        return WalkResult::interrupt();
      }
      if (lowering == Lowering::Kernel)
        kernel.setAttr(op, StringAttr::get(op->getContext(), cudaKernelName(op)));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
