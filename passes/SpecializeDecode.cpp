//===- SpecializeDecode.cpp - a one-token copy of @forward ----------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMSPECIALIZEDECODE
#include "passes/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// [?, ?, ...] activations become [?, 1, ...]; states ([?, K-1, C],
/// [?, E, N]) and KV caches ([?, KV, ?, hd]) have a static second dimension
/// and keep their types.
Type toOneToken(Type type) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() < 2 || !tensor.isDynamicDim(0) || !tensor.isDynamicDim(1))
    return type;
  SmallVector<int64_t> shape(tensor.getShape());
  shape[1] = 1;
  return RankedTensorType::get(shape, tensor.getElementType());
}

struct SSMSpecializeDecode : mlir::ssm::impl::SSMSpecializeDecodeBase<SSMSpecializeDecode> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward) {
      module.emitError() << "no func.func @forward to specialize";
      return signalPassFailure();
    }
    if (module.lookupSymbol("decode")) {
      module.emitError() << "the module already has a @decode";
      return signalPassFailure();
    }
    func::FuncOp decode = forward.clone();
    decode.setSymName("decode");
    module.insert(std::next(Block::iterator(forward)), decode);
    for (BlockArgument arg : decode.getArguments())
      arg.setType(toOneToken(arg.getType()));
    decode.walk([](Operation *op) {
      for (OpResult result : op->getResults())
        result.setType(toOneToken(result.getType()));
    });
    SmallVector<Type> results;
    for (Type t : decode.getResultTypes())
      results.push_back(toOneToken(t));
    decode.setType(FunctionType::get(&getContext(), decode.getBody().getArgumentTypes(), results));
  }
};

} // namespace
