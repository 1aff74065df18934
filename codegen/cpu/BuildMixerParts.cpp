//===- BuildMixerParts.cpp - pieces shared by the scan and step kernels ---===//
#include "codegen/cpu/CPUKernels.h"

using namespace mlir;
using namespace mlir::ssm;

Value mlir::ssm::buildTimeStep(KernelBuilder &kb, Value d, bool softplus, FloatAttr dtMin,
                               FloatAttr dtMax) {
  if (softplus)
    d = kb.softplus(d);
  if (dtMin)
    d = kb.b.create<arith::MaximumFOp>(kb.loc, d, kb.splatConst(dtMin.getValueAsDouble()));
  if (dtMax)
    d = kb.b.create<arith::MinimumFOp>(kb.loc, d, kb.splatConst(dtMax.getValueAsDouble()));
  return d;
}

Value mlir::ssm::buildConvStep(KernelBuilder &kb, const ConvStepArgs &a, Value batchRow, Value row,
                               Value c0, Value mask) {
  auto shape = llvm::cast<MemRefType>(a.weight.getType()).getShape();
  int64_t channels = shape[0], k = shape[2];
  SmallVector<Value> window;
  for (int64_t t = 0; t + 1 < k; ++t)
    window.push_back(kb.load(a.state, {batchRow, kb.index(t), c0}, mask));
  window.push_back(kb.load(a.x, {row, c0}, mask));
  Value acc = a.bias ? kb.load(a.bias, {c0}, mask) : kb.splatConst(0.0);
  for (int64_t t = 0; t < k; ++t) {
    Value tap = kb.gatherLanes([&](Value lane) {
      Value c = kb.minIndex(kb.addIndex(c0, lane), kb.index(channels - 1));
      return kb.b.create<memref::LoadOp>(kb.loc, a.weight, ValueRange{c, kb.index(0), kb.index(t)});
    });
    acc = kb.fma(tap, window[t], acc);
  }
  for (int64_t t = 0; t + 1 < k; ++t)
    kb.store(a.stateOut, {batchRow, kb.index(t), c0}, mask, window[t + 1]);
  return kb.silu(acc);
}
