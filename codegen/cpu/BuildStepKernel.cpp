//===- BuildStepKernel.cpp - one decode step of a Mamba-1 mixer -----------===//
//
// Work items (b, channel block), in three phases with a barrier between, so
// that every core takes part even at batch 1. A workspace row per batch row
// holds xc [E] then [dt, B, C] [R + 2N]:
//   0. conv-state update, conv, SiLU for the block's channels -> xc
//   1. the block's share of the rows of x_proj · xc -> [dt, B, C]
//   2. per channel of the block: Δ = softplus₂₀(dt_proj row · dt + bias),
//      the state row h[e, :] (contiguous) updated vectorized over the state
//      dimension, y = (h·C + D·xc)·silu(z)
// States are read before they are written, so they may be updated in place.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
/// Σ over |length| elements of a[i] · b[i], vectorized, as an f32 scalar.
Value dot(KernelBuilder &kb, int64_t length,
          const std::function<Value(Value c0, Value mask)> &loadA,
          const std::function<Value(Value c0, Value mask)> &loadB) {
  Value acc = kb.forLoop(
      kb.index(0), kb.index(length), {kb.splatConst(0.0)},
      [&](Value c0, ValueRange args) -> SmallVector<Value> {
        Value mask = kb.tailMask(length, c0);
        return {kb.fma(loadA(c0, mask), loadB(c0, mask), args[0])};
      },
      kb.index(kb.vw))[0];
  return kb.b.create<vector::ReductionOp>(kb.loc, vector::CombiningKind::ADD, acc);
}

} // namespace

KernelSpec mlir::ssm::buildStepKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  // args: x, z, conv_weight, conv_state, x_proj, delta_proj, delta_bias, A,
  //       ssm_state, conv_bias?, D?, result, conv_state_out, ssm_state_out
  Value x = args[0], z = args[1], convW = args[2], convState = args[3], xProj = args[4],
        deltaProj = args[5], deltaBias = args[6], A = args[7], ssmState = args[8],
        convBias = args[9], D = args[10], out = args[11], convOut = args[12], ssmOut = args[13];
  auto shape = [](Value v) { return llvm::cast<MemRefType>(v.getType()).getShape(); };
  int64_t channels = shape(A)[0], n = shape(A)[1], rank = shape(deltaProj)[1];
  int64_t proj = rank + 2 * n;
  int64_t blocks = (channels + kb.vw - 1) / kb.vw;
  int64_t rowFloats = channels + proj; // workspace per batch row: xc, then dt/B/C
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Value zero = kb.splatConst(0.0);

  kb.forLoop(kb.begin, kb.end, [&](Value w) {
    auto [batchRow, c0, valid, mask] = kb.blockItem(w, blocks, channels);
    Value row = kb.mulIndex(batchRow, kb.seq);
    Value xcBase = kb.mulIndex(batchRow, kb.index(rowFloats));
    Value dbcBase = kb.addIndex(xcBase, kb.index(channels));

    kb.inPhase(0, [&] {
      Value xc =
          buildConvStep(kb, {x, convW, convBias, convState, convOut}, batchRow, row, c0, mask);
      kb.store(kb.workspace, {kb.addIndex(xcBase, c0)}, mask, xc);
    });

    kb.inPhase(1, [&] {
      // This block's rows of x_proj: [blk * proj / blocks, (blk + 1) * proj / blocks).
      Value blk = b.create<arith::RemUIOp>(loc, w, kb.index(blocks));
      Value first =
          b.create<arith::DivUIOp>(loc, kb.mulIndex(blk, kb.index(proj)), kb.index(blocks));
      Value last = b.create<arith::DivUIOp>(
          loc, kb.mulIndex(kb.addIndex(blk, kb.index(1)), kb.index(proj)), kb.index(blocks));
      kb.forLoop(first, last, [&](Value i) {
        Value v = dot(
            kb, channels, [&](Value e0, Value m) { return kb.load(xProj, {i, e0}, m); },
            [&](Value e0, Value m) { return kb.load(kb.workspace, {kb.addIndex(xcBase, e0)}, m); });
        b.create<memref::StoreOp>(loc, v, kb.workspace, ValueRange{kb.addIndex(dbcBase, i)});
      });
    });

    kb.inPhase(2, [&] {
      // Δ for the block's channels: one dot product each, then the softplus
      // vectorized across the channels.
      Value dtVec = kb.gatherLanes([&](Value lane) {
        Value e = kb.minIndex(kb.addIndex(c0, lane), kb.index(channels - 1));
        return dot(
            kb, rank, [&](Value r0, Value m) { return kb.load(deltaProj, {e, r0}, m); },
            [&](Value r0, Value m) {
              return kb.load(kb.workspace, {kb.addIndex(dbcBase, r0)}, m);
            });
      });
      dtVec = kb.softplus(kb.add(dtVec, kb.load(deltaBias, {c0}, mask)));
      Value uVec = kb.load(kb.workspace, {kb.addIndex(xcBase, c0)}, mask);
      Value duVec = kb.mul(dtVec, uVec);
      Value bBase = kb.addIndex(dbcBase, kb.index(rank));
      Value cBase = kb.addIndex(dbcBase, kb.index(rank + n));
      // The state row of each valid channel, vectorized over the state.
      Value yVec = kb.forLoop(
          kb.index(0), valid, {zero}, [&](Value lane, ValueRange acc) -> SmallVector<Value> {
            Value e = kb.addIndex(c0, lane);
            Value dtSplat = kb.splat(b.create<vector::ExtractElementOp>(loc, dtVec, lane));
            Value duSplat = kb.splat(b.create<vector::ExtractElementOp>(loc, duVec, lane));
            Value yAcc = kb.forLoop(
                kb.index(0), kb.index(n), {zero},
                [&](Value n0, ValueRange inner) -> SmallVector<Value> {
                  Value m = kb.tailMask(n, n0);
                  Value a = kb.load(A, {e, n0}, m);
                  Value h = kb.load(ssmState, {batchRow, e, n0}, m);
                  Value bv = kb.load(kb.workspace, {kb.addIndex(bBase, n0)}, m);
                  Value cv = kb.load(kb.workspace, {kb.addIndex(cBase, n0)}, m);
                  Value next = kb.fma(kb.exp(kb.mul(dtSplat, a)), h, kb.mul(duSplat, bv));
                  kb.store(ssmOut, {batchRow, e, n0}, m, next);
                  return {kb.fma(next, cv, inner[0])};
                },
                kb.index(kb.vw))[0];
            Value y = b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, yAcc);
            return {b.create<vector::InsertElementOp>(loc, y, acc[0], lane)};
          })[0];
      if (D)
        yVec = kb.fma(kb.load(D, {c0}, mask), uVec, yVec);
      yVec = kb.mul(yVec, kb.silu(kb.load(z, {row, c0}, mask)));
      kb.store(out, {row, c0}, mask, yVec);
    });
  });
  return {KernelParallel::BatchBlocks, blocks, 3, rowFloats};
}
