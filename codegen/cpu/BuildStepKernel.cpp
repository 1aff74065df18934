//===- BuildStepKernel.cpp - one decode step of a Mamba-1 mixer -----------===//
//
// Work item: one batch row. Three phases over small stack scratch buffers:
//   1. conv-state update, conv, SiLU (vectorized over channels) -> xc
//   2. x_proj · xc -> [dt, B, C] (one dot product per output row)
//   3. per channel: Δ = softplus₂₀(dt_proj row · dt + bias), then the state
//      row h[e, :] (contiguous in the state) is updated vectorized over the
//      state dimension, and y = (h·C + D·xc)·silu(z).
// States are read before they are written, so they may be updated in place.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
/// Σ over |length| elements of a[i] · b[i], vectorized, as an f32 scalar.
/// |a| and |b| map a chunk start to (memref, indices) loads.
Value dot(KernelBuilder &kb, int64_t length,
          const std::function<Value(Value c0, Value mask)> &loadA,
          const std::function<Value(Value c0, Value mask)> &loadB) {
  Value acc = kb.forLoop(kb.index(0), kb.index(length), {kb.splatConst(0.0)},
                         [&](Value c0, ValueRange args) -> SmallVector<Value> {
    Value valid = kb.minIndex(kb.index(kb.vw), kb.b.create<arith::SubIOp>(kb.loc, kb.index(length), c0));
    Value mask = kb.mask(valid);
    return {kb.fma(loadA(c0, mask), loadB(c0, mask), args[0])};
  }, kb.index(kb.vw))[0];
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
  int64_t k = shape(convW)[2], proj = rank + 2 * n;
  OpBuilder &b = kb.b;
  Location loc = kb.loc;

  Value xc, dbc;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(b.getInsertionBlock());
    xc = b.create<memref::AllocaOp>(loc, MemRefType::get({channels}, kb.f32()));
    dbc = b.create<memref::AllocaOp>(loc, MemRefType::get({proj}, kb.f32()));
  }
  Value zero = kb.splatConst(0.0);

  kb.forLoop(kb.begin, kb.end, [&](Value batchRow) {
    Value row = kb.mulIndex(batchRow, kb.seq);
    // 1. Conv over the carried window and the new input, then SiLU.
    kb.forLoop(kb.index(0), kb.index(channels), [&](Value c0) {
      Value valid = kb.minIndex(kb.index(kb.vw), b.create<arith::SubIOp>(loc, kb.index(channels), c0));
      Value mask = kb.mask(valid);
      SmallVector<Value> window;
      for (int64_t t = 0; t + 1 < k; ++t)
        window.push_back(kb.load(convState, {batchRow, kb.index(t), c0}, mask));
      Value xv = kb.load(x, {row, c0}, mask);
      window.push_back(xv);
      Value acc = convBias ? kb.load(convBias, {c0}, mask) : zero;
      for (int64_t t = 0; t < k; ++t) {
        Value tap = kb.gatherLanes([&](Value lane) {
          Value c = kb.minIndex(kb.addIndex(c0, lane), kb.index(channels - 1));
          return b.create<memref::LoadOp>(loc, convW, ValueRange{c, kb.index(0), kb.index(t)});
        });
        acc = kb.fma(tap, window[t], acc);
      }
      kb.store(xc, {c0}, mask, kb.silu(acc));
      for (int64_t t = 0; t + 1 < k; ++t)
        kb.store(convOut, {batchRow, kb.index(t), c0}, mask, window[t + 1]);
    }, kb.index(kb.vw));

    // 2. [dt, B, C] = x_proj · xc.
    kb.forLoop(kb.index(0), kb.index(proj), [&](Value i) {
      Value v = dot(kb, channels,
                    [&](Value c0, Value mask) { return kb.load(xProj, {i, c0}, mask); },
                    [&](Value c0, Value mask) { return kb.load(xc, {c0}, mask); });
      b.create<memref::StoreOp>(loc, v, dbc, ValueRange{i});
    });

    // 3. Per channel: Δ, the state row update, the output.
    kb.forLoop(kb.index(0), kb.index(channels), [&](Value e) {
      Value dt = dot(kb, rank,
                     [&](Value r0, Value mask) { return kb.load(deltaProj, {e, r0}, mask); },
                     [&](Value r0, Value mask) { return kb.load(dbc, {r0}, mask); });
      dt = b.create<arith::AddFOp>(loc, dt, b.create<memref::LoadOp>(loc, deltaBias, ValueRange{e}));
      Value above = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, dt, kb.f32Const(20.0));
      dt = b.create<arith::SelectOp>(loc, above, dt,
                                     b.create<math::Log1pOp>(loc, b.create<math::ExpOp>(loc, dt)));
      Value uv = b.create<memref::LoadOp>(loc, xc, ValueRange{e});
      Value dtVec = kb.splat(dt);
      Value duVec = kb.splat(b.create<arith::MulFOp>(loc, dt, uv));
      Value yAcc = kb.forLoop(kb.index(0), kb.index(n), {zero},
                              [&](Value n0, ValueRange acc) -> SmallVector<Value> {
        Value valid = kb.minIndex(kb.index(kb.vw), b.create<arith::SubIOp>(loc, kb.index(n), n0));
        Value mask = kb.mask(valid);
        Value a = kb.load(A, {e, n0}, mask);
        Value h = kb.load(ssmState, {batchRow, e, n0}, mask);
        Value bv = kb.load(dbc, {kb.addIndex(kb.index(rank), n0)}, mask);
        Value cv = kb.load(dbc, {kb.addIndex(kb.index(rank + n), n0)}, mask);
        Value next = kb.fma(kb.exp(kb.mul(dtVec, a)), h, kb.mul(duVec, bv));
        kb.store(ssmOut, {batchRow, e, n0}, mask, next);
        return {kb.fma(next, cv, acc[0])};
      }, kb.index(kb.vw))[0];
      Value y = b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, yAcc);
      if (D)
        y = b.create<arith::AddFOp>(
            loc, y, b.create<arith::MulFOp>(loc, b.create<memref::LoadOp>(loc, D, ValueRange{e}), uv));
      Value zv = b.create<memref::LoadOp>(loc, z, ValueRange{row, e});
      Value sig = b.create<arith::DivFOp>(
          loc, zv, b.create<arith::AddFOp>(loc, kb.f32Const(1.0),
                                           b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, zv))));
      b.create<memref::StoreOp>(loc, b.create<arith::MulFOp>(loc, y, sig), out, ValueRange{row, e});
    });
  });
  return {KernelParallel::Batch, 1};
}
