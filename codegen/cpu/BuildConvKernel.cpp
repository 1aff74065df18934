//===- BuildConvKernel.cpp - causal depthwise conv1d (+SiLU) --------------===//
//
// Work item (b, channel block): VW channels of one sequence, walked in time
// with the last K-1 inputs carried in registers; the state is read at the
// start and written at the end, so it may be updated in place.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"

#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

KernelSpec mlir::ssm::buildConvKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  auto conv = cast<CausalConv1dOp>(op);
  // args: input, weight, bias?, init_state?, seq_lens?, result, final_state
  Value input = args[0], weight = args[1], bias = args[2], init = args[3], seqLens = args[4];
  Value out = args[5], finalState = args[6];
  int64_t channels = llvm::cast<MemRefType>(out.getType()).getDimSize(1);
  int64_t k = conv.getKernelSize();
  int64_t blocks = (channels + kb.vw - 1) / kb.vw;
  bool silu = conv.getSilu();

  kb.forLoop(kb.begin, kb.end, [&](Value w) {
    auto [b, c0, valid, mask] = kb.blockItem(w, blocks, channels);
    Value len = kb.sequenceLength(seqLens, b);
    // Weights of the block, tap by tap (lanes past the last channel repeat it).
    SmallVector<Value> taps;
    for (int64_t t = 0; t < k; ++t)
      taps.push_back(kb.gatherLanes([&](Value lane) {
        Value c = kb.minIndex(kb.addIndex(c0, lane), kb.index(channels - 1));
        return kb.b.create<memref::LoadOp>(kb.loc, weight, ValueRange{c, kb.index(0), kb.index(t)});
      }));
    Value biasVec = bias ? kb.load(bias, {c0}, mask) : kb.splatConst(0.0);
    SmallVector<Value> window;
    for (int64_t t = 0; t + 1 < k; ++t)
      window.push_back(init ? kb.load(init, {b, kb.index(t), c0}, mask) : kb.splatConst(0.0));
    Value rowBase = kb.mulIndex(b, kb.seq);
    SmallVector<Value> last =
        kb.forLoop(kb.index(0), len, window, [&](Value t, ValueRange prev) -> SmallVector<Value> {
          Value row = kb.addIndex(rowBase, t);
          Value x = kb.load(input, {row, c0}, mask);
          Value acc = kb.fma(taps[k - 1], x, biasVec);
          for (int64_t i = 0; i + 1 < k; ++i)
            acc = kb.fma(taps[i], prev[i], acc);
          kb.store(out, {row, c0}, mask, silu ? kb.silu(acc) : acc);
          SmallVector<Value> next(prev.begin() + (k > 1 ? 1 : 0), prev.end());
          if (k > 1)
            next.push_back(x);
          return next;
        });
    // Padding steps of a shorter sequence produce zeros.
    kb.forLoop(len, kb.seq, [&](Value t) {
      kb.store(out, {kb.addIndex(rowBase, t), c0}, mask, kb.splatConst(0.0));
    });
    for (int64_t t = 0; t + 1 < k; ++t)
      kb.store(finalState, {b, kb.index(t), c0}, mask, last[t]);
  });
  return {KernelParallel::BatchBlocks, blocks};
}
