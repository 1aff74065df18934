//===- BuildScanKernel.cpp - fused selective scan -------------------------===//
//
// Work item (b, channel block): VW channels of one sequence walked in time.
// Per block, A, the folded dt_proj rows and the state are transposed into
// stack tiles [rows][VW] once; per step:
//
//   Δ = softplus₂₀(dt_proj · dt[t] + bias)   (or the full-width delta)
//       (Jamba: dt[t], B[t] and C[t] RMS-normalized first: a scalar scale
//       per row and step, the norm weights folded into the tiles)
//   for n: h[n] = exp(Δ·A[n]) · h[n] + Δ·u · B[t,n];  y += h[n] · C[t,n]
//   y = (y + D·u) · silu(z)
//
// so the full-width Δ and the [L, E, N] state never reach memory. B and C
// are shared by the block's channels (one group per block).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"

#include "dialect/SSMOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::ssm;

KernelSpec mlir::ssm::buildScanKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  auto scan = cast<SelectiveScanOp>(op);
  // args: u, delta, A, B, C, D?, z?, delta_bias?, delta_proj?, init_state?,
  //       seq_lens?, delta_norm?, B_norm?, C_norm?, result, final_state
  Value u = args[0], delta = args[1], A = args[2], B = args[3], C = args[4], D = args[5],
        z = args[6], deltaBias = args[7], deltaProj = args[8], init = args[9], seqLens = args[10],
        deltaNorm = args[11], bNorm = args[12], cNorm = args[13], out = args[14],
        finalState = args[15];
  double eps = scan.getNormEpsAttr() ? scan.getNormEpsAttr().getValueAsDouble() : 0.0;
  int64_t channels = scan.getDInner(), n = scan.getDState();
  int64_t rank = deltaProj ? llvm::cast<MemRefType>(deltaProj.getType()).getDimSize(1) : 0;
  int64_t blocks = (channels + kb.vw - 1) / kb.vw;
  int64_t perGroup = channels / scan.getGroups();

  Value tileA = kb.tile(n), tileH = kb.tile(n);
  // rsqrt(mean(row²) + eps) of |width| values of |src| from (row, col).
  auto rowScale = [&](Value src, Value row, Value col, int64_t width) {
    Value squares = kb.forLoop(kb.index(0), kb.index(width), {kb.f32Const(0.0)},
                               [&](Value i, ValueRange acc) -> SmallVector<Value> {
                                 Value v = kb.b.create<memref::LoadOp>(
                                     kb.loc, src, ValueRange{row, kb.addIndex(col, i)});
                                 return {kb.add(acc[0], kb.mul(v, v))};
                               })[0];
    Value mean = kb.div(squares, kb.f32Const(static_cast<double>(width)));
    return kb.b.create<math::RsqrtOp>(kb.loc, kb.add(mean, kb.f32Const(eps))).getResult();
  };
  Value tileW = rank ? kb.tile(rank) : Value();
  Value zero = kb.splatConst(0.0);
  auto clampChannel = [&](Value c0, Value lane) {
    return kb.minIndex(kb.addIndex(c0, lane), kb.index(channels - 1));
  };

  kb.forLoop(kb.begin, kb.end, [&](Value w) {
    auto [b, c0, valid, mask] = kb.blockItem(w, blocks, channels);
    Value len = kb.sequenceLength(seqLens, b);
    // Transpose the block's rows of A, dt_proj and the state into tiles.
    kb.forLoop(kb.index(0), kb.index(n), [&](Value s) {
      Value a = kb.gatherLanes([&](Value lane) {
        return kb.b.create<memref::LoadOp>(kb.loc, A, ValueRange{clampChannel(c0, lane), s});
      });
      kb.b.create<vector::StoreOp>(kb.loc, a, tileA, ValueRange{s, kb.index(0)});
      Value h = init ? kb.gatherLanes([&](Value lane) {
        return kb.b.create<memref::LoadOp>(kb.loc, init, ValueRange{b, clampChannel(c0, lane), s});
      })
                     : zero;
      kb.b.create<vector::StoreOp>(kb.loc, h, tileH, ValueRange{s, kb.index(0)});
    });
    if (rank)
      kb.forLoop(kb.index(0), kb.index(rank), [&](Value r) {
        Value wr = kb.gatherLanes([&](Value lane) {
          return kb.b.create<memref::LoadOp>(kb.loc, deltaProj,
                                             ValueRange{clampChannel(c0, lane), r});
        });
        if (deltaNorm)
          wr = kb.mul(wr, kb.splat(kb.b.create<memref::LoadOp>(kb.loc, deltaNorm, ValueRange{r})));
        kb.b.create<vector::StoreOp>(kb.loc, wr, tileW, ValueRange{r, kb.index(0)});
      });
    Value bias = deltaBias ? kb.load(deltaBias, {c0}, mask) : zero;
    Value dVec = D ? kb.load(D, {c0}, mask) : Value();
    // The block's group: its B and C columns.
    Value column =
        kb.mulIndex(kb.b.create<arith::DivUIOp>(kb.loc, c0, kb.index(perGroup)), kb.index(n));
    Value rowBase = kb.mulIndex(b, kb.seq);

    kb.forLoop(kb.index(0), len, [&](Value t) {
      Value row = kb.addIndex(rowBase, t);
      Value dt;
      if (rank) {
        dt = kb.forLoop(kb.index(0), kb.index(rank), {deltaNorm ? zero : bias},
                        [&](Value r, ValueRange acc) -> SmallVector<Value> {
                          Value wr = kb.b.create<vector::LoadOp>(kb.loc, kb.vecType(), tileW,
                                                                 ValueRange{r, kb.index(0)});
                          Value x = kb.b.create<memref::LoadOp>(kb.loc, delta, ValueRange{row, r});
                          return {kb.fma(wr, kb.splat(x), acc[0])};
                        })[0];
        if (deltaNorm)
          dt = kb.fma(dt, kb.splat(rowScale(delta, row, kb.index(0), rank)), bias);
      } else {
        dt = kb.add(kb.load(delta, {row, c0}, mask), bias);
      }
      if (scan.getDeltaSoftplus())
        dt = kb.softplus(dt);
      Value uv = kb.load(u, {row, c0}, mask);
      Value du = kb.mul(dt, uv);
      Value scaleB = bNorm ? rowScale(B, row, column, n) : Value();
      Value scaleC = cNorm ? rowScale(C, row, column, n) : Value();
      Value y = kb.forLoop(
          kb.index(0), kb.index(n), {zero}, [&](Value s, ValueRange acc) -> SmallVector<Value> {
            Value a = kb.b.create<vector::LoadOp>(kb.loc, kb.vecType(), tileA,
                                                  ValueRange{s, kb.index(0)});
            Value h = kb.b.create<vector::LoadOp>(kb.loc, kb.vecType(), tileH,
                                                  ValueRange{s, kb.index(0)});
            Value col = kb.addIndex(column, s);
            Value bt = kb.b.create<memref::LoadOp>(kb.loc, B, ValueRange{row, col});
            Value ct = kb.b.create<memref::LoadOp>(kb.loc, C, ValueRange{row, col});
            if (bNorm)
              bt = kb.mul(kb.mul(bt, scaleB),
                          kb.b.create<memref::LoadOp>(kb.loc, bNorm, ValueRange{s}));
            if (cNorm)
              ct = kb.mul(kb.mul(ct, scaleC),
                          kb.b.create<memref::LoadOp>(kb.loc, cNorm, ValueRange{s}));
            Value next = kb.fma(kb.exp(kb.mul(dt, a)), h, kb.mul(du, kb.splat(bt)));
            kb.b.create<vector::StoreOp>(kb.loc, next, tileH, ValueRange{s, kb.index(0)});
            return {kb.fma(next, kb.splat(ct), acc[0])};
          })[0];
      if (dVec)
        y = kb.fma(dVec, uv, y);
      if (z)
        y = kb.mul(y, kb.silu(kb.load(z, {row, c0}, mask)));
      kb.store(out, {row, c0}, mask, y);
    });
    // Padding steps of a shorter sequence produce zeros.
    kb.forLoop(len, kb.seq,
               [&](Value t) { kb.store(out, {kb.addIndex(rowBase, t), c0}, mask, zero); });
    kb.forLoop(kb.index(0), kb.index(n), [&](Value s) {
      Value h =
          kb.b.create<vector::LoadOp>(kb.loc, kb.vecType(), tileH, ValueRange{s, kb.index(0)});
      kb.scatterLanes(h, valid, [&](Value lane, Value v) {
        kb.b.create<memref::StoreOp>(kb.loc, v, finalState,
                                     ValueRange{b, kb.addIndex(c0, lane), s});
      });
    });
  });
  return {KernelParallel::BatchBlocks, blocks};
}
