//===- BuildSSDKernel.cpp - Mamba-2 state-space dual scan (ssd_scan) ------===//
//
// Work item (b, head): the head's [head_dim, N] state walked in time, with
// discretization fused in. Time is taken in blocks of kTimeBlock steps; per
// block the head's Δ and decay are computed once,
//
//   Δ[t] = clamp(softplus₂₀(dt[t] + dt_bias), dt_min, dt_max),  a[t] = exp(Δ[t] · A)
//
// then for each row p of the state, the row (N floats, in up to kRowVectors
// registers per pass) is carried through the block's steps:
//
//   S[p,:] = a[t] · S[p,:] + (Δ[t] · x[t,p]) · B[t,:]
//   y[t,p] = Σ S[p,:] · C[t,:] + D · x[t,p]   (· silu(z[t,p]))
//
// On a CPU this recurrent form does the same multiply-adds per token as the
// chunked (matmul) form of SSD (3·N per state row: decay, input, output)
// without its segment-sum exponentials, and keeps each state row in
// registers, so chunk_size does not change the kernel; the chunked form
// pays where matrix units do (the CUDA kernels).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"

#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
constexpr int64_t kTimeBlock = 32;
/// State vectors per pass over a block: rows wider than this (N > 8·VW) take
/// several passes, each adding its part of y, so they stay in registers.
constexpr int64_t kRowVectors = 8;
} // namespace

KernelSpec mlir::ssm::buildSSDKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  auto scan = cast<SSDScanOp>(op);
  // args: x, dt, A, B, C, D?, z?, dt_bias?, init_state?, seq_lens?,
  //       result, final_state
  Value x = args[0], dt = args[1], A = args[2], B = args[3], C = args[4], D = args[5], z = args[6],
        dtBias = args[7], init = args[8], seqLens = args[9], out = args[10], state = args[11];
  int64_t heads = scan.getHeads(), headDim = scan.getHeadDim(), groups = scan.getGroups();
  int64_t n = llvm::cast<MemRefType>(B.getType()).getDimSize(1) / groups;
  int64_t vectors = (n + kb.vw - 1) / kb.vw;
  int64_t perGroup = heads / groups;

  Value dtBlock = kb.scratch(kTimeBlock), decayBlock = kb.scratch(kTimeBlock);
  Value zero = kb.splatConst(0.0);
  Value c0 = kb.index(0);
  auto lane0 = [&](Value v) { return kb.b.create<vector::ExtractElementOp>(kb.loc, v, c0); };
  auto scalarLoad = [&](Value memref, ValueRange indices) -> Value {
    return kb.b.create<memref::LoadOp>(kb.loc, memref, indices);
  };
  auto scalarStore = [&](Value v, Value memref, ValueRange indices) {
    kb.b.create<memref::StoreOp>(kb.loc, v, memref, indices);
  };
  auto mulScalar = [&](Value a, Value c) { return kb.b.create<arith::MulFOp>(kb.loc, a, c); };
  auto addScalar = [&](Value a, Value c) { return kb.b.create<arith::AddFOp>(kb.loc, a, c); };

  kb.forLoop(kb.begin, kb.end, [&](Value w) {
    Value b = kb.b.create<arith::DivUIOp>(kb.loc, w, kb.index(heads));
    Value h = kb.b.create<arith::RemUIOp>(kb.loc, w, kb.index(heads));
    Value column =
        kb.mulIndex(kb.b.create<arith::DivUIOp>(kb.loc, h, kb.index(perGroup)), kb.index(n));
    Value xColumn = kb.mulIndex(h, kb.index(headDim));
    Value len = kb.sequenceLength(seqLens, b);
    Value rowBase = kb.mulIndex(b, kb.seq);
    Value aHead = kb.splat(scalarLoad(A, {h}));
    Value bias = dtBias ? kb.splat(scalarLoad(dtBias, {h})) : zero;
    Value dHead = D ? scalarLoad(D, {h}) : Value();

    // At least one block, so a sequence of length 0 still copies its state.
    Value blocksEnd = kb.maxIndex(len, kb.index(1));
    kb.forLoop(
        c0, blocksEnd,
        [&](Value t0) {
          Value tEnd = kb.minIndex(kb.addIndex(t0, kb.index(kTimeBlock)), len);
          kb.forLoop(t0, tEnd, [&](Value t) {
            Value d = kb.add(kb.splat(scalarLoad(dt, {kb.addIndex(rowBase, t), h})), bias);
            d = buildTimeStep(kb, d, scan.getDtSoftplus(), scan.getDtMinAttr(),
                              scan.getDtMaxAttr());
            Value i = kb.b.create<arith::SubIOp>(kb.loc, t, t0);
            scalarStore(lane0(d), dtBlock, {i});
            scalarStore(lane0(kb.exp(kb.mul(d, aHead))), decayBlock, {i});
          });
          // The first block starts from the initial state (zeros without
          // one), later blocks from what the previous block stored.
          Value first = kb.b.create<arith::CmpIOp>(kb.loc, arith::CmpIPredicate::eq, t0, c0);
          Value source = init ? kb.b.create<arith::SelectOp>(kb.loc, first, init, state) : state;
          for (int64_t k0 = 0; k0 < vectors; k0 += kRowVectors) {
            int64_t k1 = std::min(vectors, k0 + kRowVectors);
            SmallVector<Value> masks;
            for (int64_t k = k0; k < k1; ++k) {
              Value m = kb.tailMask(n, kb.index(k * kb.vw));
              if (!init)
                m = kb.b.create<arith::SelectOp>(kb.loc, first, kb.mask(c0), m);
              masks.push_back(m);
            }
            bool firstPass = k0 == 0, lastPass = k1 == vectors;
            kb.forLoop(c0, kb.index(headDim), [&](Value p) {
              SmallVector<Value> row;
              for (int64_t k = k0; k < k1; ++k)
                row.push_back(kb.load(source, {b, h, p, kb.index(k * kb.vw)}, masks[k - k0]));
              Value xCol = kb.addIndex(xColumn, p);
              SmallVector<Value> last =
                  kb.forLoop(t0, tEnd, row, [&](Value t, ValueRange s) -> SmallVector<Value> {
                    Value r = kb.addIndex(rowBase, t);
                    Value i = kb.b.create<arith::SubIOp>(kb.loc, t, t0);
                    Value xv = scalarLoad(x, {r, xCol});
                    Value a = kb.splat(scalarLoad(decayBlock, {i}));
                    Value dx = kb.splat(mulScalar(scalarLoad(dtBlock, {i}), xv));
                    SmallVector<Value> next;
                    // Two accumulators halve the dependent chain of y's sum.
                    Value acc[2] = {zero, zero};
                    for (int64_t k = k0; k < k1; ++k) {
                      Value col = kb.addIndex(column, kb.index(k * kb.vw));
                      Value m = kb.tailMask(n, kb.index(k * kb.vw));
                      Value sk = kb.fma(a, s[k - k0], kb.mul(dx, kb.load(B, {r, col}, m)));
                      acc[k % 2] = kb.fma(sk, kb.load(C, {r, col}, m), acc[k % 2]);
                      next.push_back(sk);
                    }
                    Value y = kb.reduceAdd(kb.add(acc[0], acc[1]));
                    if (firstPass && dHead)
                      y = addScalar(y, mulScalar(dHead, xv));
                    if (!firstPass)
                      y = addScalar(y, scalarLoad(out, {r, xCol}));
                    if (lastPass && z)
                      y = mulScalar(y, lane0(kb.silu(kb.splat(scalarLoad(z, {r, xCol})))));
                    scalarStore(y, out, {r, xCol});
                    return next;
                  });
              for (int64_t k = k0; k < k1; ++k)
                kb.store(state, {b, h, p, kb.index(k * kb.vw)}, kb.tailMask(n, kb.index(k * kb.vw)),
                         last[k - k0]);
            });
          }
        },
        kb.index(kTimeBlock));
    // Padding steps of a shorter sequence produce zeros.
    kb.forLoop(len, kb.seq, [&](Value t) {
      Value r = kb.addIndex(rowBase, t);
      kb.forLoop(
          c0, kb.index(headDim),
          [&](Value p) {
            kb.store(out, {r, kb.addIndex(xColumn, p)}, kb.tailMask(headDim, p), zero);
          },
          kb.index(kb.vw));
    });
  });
  return {KernelParallel::BatchBlocks, heads};
}
