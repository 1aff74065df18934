//===- BuildMamba2StepKernel.cpp - one decode step of a Mamba-2 mixer -----===//
//
// Work items (b, block), in three phases with a barrier between, each phase
// using as many blocks as it has work (the rest idle), so every core takes
// part even at batch 1. A workspace row per batch row holds xc (x ‖ B ‖ C
// after the conv, [I + 2GN]) then y [I]:
//   0. conv-state update, conv, SiLU for VW channels of x ‖ B ‖ C -> xc
//   1. one head: Δ and its decay, then per state row p (contiguous, N
//      floats) the update vectorized over N and y[h, p] = S[p,:]·C + D·x
//   2. one norm group: y · silu(z), its RMS, · norm_weight -> result
// States are read before they are written, so they may be updated in place.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"

#include "dialect/SSMOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::ssm;

KernelSpec mlir::ssm::buildMamba2StepKernel(KernelBuilder &kb, Operation *op,
                                            ArrayRef<Value> args) {
  auto step = cast<Mamba2StepOp>(op);
  // args: xbc, dt, z, conv_weight, conv_state, A, ssm_state, norm_weight,
  //       conv_bias?, D?, dt_bias?, result, conv_state_out, ssm_state_out
  Value xbc = args[0], dt = args[1], z = args[2], convW = args[3], convState = args[4], A = args[5],
        ssmState = args[6], normW = args[7], convBias = args[8], D = args[9], dtBias = args[10],
        out = args[11], convOut = args[12], ssmOut = args[13];
  int64_t heads = step.getHeads(), headDim = step.getHeadDim(), groups = step.getGroups();
  int64_t inner = heads * headDim, groupSize = step.getGroupSize();
  auto shape = [](Value v) { return llvm::cast<MemRefType>(v.getType()).getShape(); };
  int64_t convDim = shape(convW)[0], n = shape(ssmState)[3];
  int64_t convBlocks = (convDim + kb.vw - 1) / kb.vw;
  int64_t blocks = std::max({convBlocks, heads, inner / groupSize});
  int64_t rowFloats = convDim + inner; // workspace per batch row: xc, then y
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Value zero = kb.splatConst(0.0);
  auto ifBelow = [&](Value v, int64_t bound, const std::function<void()> &body) {
    Value in = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, v, kb.index(bound));
    auto ifOp = b.create<scf::IfOp>(loc, in, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    body();
  };

  kb.forLoop(kb.begin, kb.end, [&](Value w) {
    Value batchRow = b.create<arith::DivUIOp>(loc, w, kb.index(blocks));
    Value blk = b.create<arith::RemUIOp>(loc, w, kb.index(blocks));
    Value row = kb.mulIndex(batchRow, kb.seq);
    Value xcBase = kb.mulIndex(batchRow, kb.index(rowFloats));
    Value yBase = kb.addIndex(xcBase, kb.index(convDim));

    kb.inPhase(0, [&] {
      ifBelow(blk, convBlocks, [&] {
        Value c0 = kb.mulIndex(blk, kb.index(kb.vw));
        Value mask = kb.tailMask(convDim, c0);
        Value xc =
            buildConvStep(kb, {xbc, convW, convBias, convState, convOut}, batchRow, row, c0, mask);
        kb.store(kb.workspace, {kb.addIndex(xcBase, c0)}, mask, xc);
      });
    });

    kb.inPhase(1, [&] {
      ifBelow(blk, heads, [&] {
        Value h = blk;
        Value d = kb.splat(b.create<memref::LoadOp>(loc, dt, ValueRange{row, h}));
        if (dtBias)
          d = kb.add(d, kb.splat(b.create<memref::LoadOp>(loc, dtBias, ValueRange{h})));
        d = buildTimeStep(kb, d, step.getDtSoftplus(), step.getDtMinAttr(), step.getDtMaxAttr());
        Value a = kb.exp(kb.mul(d, kb.splat(b.create<memref::LoadOp>(loc, A, ValueRange{h}))));
        Value dHead = D ? b.create<memref::LoadOp>(loc, D, ValueRange{h}).getResult() : Value();
        Value group = b.create<arith::DivUIOp>(loc, h, kb.index(heads / groups));
        Value bBase =
            kb.addIndex(kb.addIndex(xcBase, kb.index(inner)), kb.mulIndex(group, kb.index(n)));
        Value cBase = kb.addIndex(bBase, kb.index(groups * n));
        kb.forLoop(kb.index(0), kb.index(headDim), [&](Value p) {
          Value col = kb.addIndex(kb.mulIndex(h, kb.index(headDim)), p);
          Value xv =
              b.create<memref::LoadOp>(loc, kb.workspace, ValueRange{kb.addIndex(xcBase, col)});
          Value dx = kb.mul(d, kb.splat(xv));
          Value acc = kb.forLoop(
              kb.index(0), kb.index(n), {zero},
              [&](Value n0, ValueRange inner) -> SmallVector<Value> {
                Value m = kb.tailMask(n, n0);
                Value s = kb.load(ssmState, {batchRow, h, p, n0}, m);
                Value bv = kb.load(kb.workspace, {kb.addIndex(bBase, n0)}, m);
                Value cv = kb.load(kb.workspace, {kb.addIndex(cBase, n0)}, m);
                Value next = kb.fma(a, s, kb.mul(dx, bv));
                kb.store(ssmOut, {batchRow, h, p, n0}, m, next);
                return {kb.fma(next, cv, inner[0])};
              },
              kb.index(kb.vw))[0];
          Value y = kb.reduceAdd(acc);
          if (dHead)
            y = b.create<arith::AddFOp>(loc, y, b.create<arith::MulFOp>(loc, dHead, xv));
          b.create<memref::StoreOp>(loc, y, kb.workspace, ValueRange{kb.addIndex(yBase, col)});
        });
      });
    });

    kb.inPhase(2, [&] {
      ifBelow(blk, inner / groupSize, [&] {
        Value g0 = kb.mulIndex(blk, kb.index(groupSize));
        Value sumSq = kb.forLoop(
            kb.index(0), kb.index(groupSize), {zero},
            [&](Value c, ValueRange acc) -> SmallVector<Value> {
              Value m = kb.tailMask(groupSize, c);
              Value col = kb.addIndex(g0, c);
              Value y = kb.mul(kb.load(kb.workspace, {kb.addIndex(yBase, col)}, m),
                               kb.silu(kb.load(z, {row, col}, m)));
              kb.store(out, {row, col}, m, y);
              return {kb.fma(y, y, acc[0])};
            },
            kb.index(kb.vw))[0];
        Value mean =
            b.create<arith::DivFOp>(loc, kb.reduceAdd(sumSq), kb.f32Const(double(groupSize)));
        Value inv = kb.splat(b.create<math::RsqrtOp>(
            loc, b.create<arith::AddFOp>(loc, mean, kb.f32Const(step.getEps().convertToDouble()))));
        kb.forLoop(
            kb.index(0), kb.index(groupSize),
            [&](Value c) {
              Value m = kb.tailMask(groupSize, c);
              Value col = kb.addIndex(g0, c);
              Value y = kb.mul(kb.mul(kb.load(out, {row, col}, m), inv), kb.load(normW, {col}, m));
              kb.store(out, {row, col}, m, y);
            },
            kb.index(kb.vw));
      });
    });
  });
  return {KernelParallel::BatchBlocks, blocks, 3, rowFloats};
}
