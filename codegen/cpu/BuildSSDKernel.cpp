//===- BuildSSDKernel.cpp - Mamba-2 state-space dual scan (ssd_scan) ------===//
//
// Work item (b, head), the chunked form of SSD. The head's state is kept
// transposed, St[n][p] (p contiguous), in scratch for the whole sequence.
// Time goes in chunks of `chunk` steps; per chunk, with the fused
// discretization Δ_t = clamp(softplus₂₀(dt[t] + dt_bias), dt_min, dt_max)
// and cum_t = Σ_{s <= t} Δ_s · A within the chunk:
//
//   M[t][s] = (C_t · B_s) · exp(cum_t - cum_s) · Δ_s  for s <= t     (C·Bᵀ ∘ L)
//   y[t][p] = exp(cum_t) · Σ_n C_t[n] · St[n][p]                    (inter-chunk)
//           + Σ_{s <= t} M[t][s] · x[s][p]                           (intra-chunk)
//           + D · x[t][p], · silu(z[t][p])
//   St[n][p] = exp(cum_end) · St[n][p]
//            + Σ_s B_s[n] · (x[s][p] · Δ_s · exp(cum_end - cum_s))  (chunk state,
//                                                                    passed on)
//
// Each product is one register-blocked loop (rows x up to 4 vectors of
// accumulators, a scalar of one operand broadcast against vectors of the
// other), so the state-sized work runs at the FMA rate with no horizontal
// sums; B is transposed per chunk for C·Bᵀ. chunk_size does not change the
// result, only rounding; the kernel's own chunk is its `ssm.cpu_tiles`
// chunk (CPUTiles.h; 32 by default), a multiple of the vector width.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"
#include "codegen/cpu/CPUTiles.h"

#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
/// Vectors of accumulators per row of a register block.
constexpr int64_t kColVectors = 4;
} // namespace

KernelSpec mlir::ssm::buildSSDKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  auto scan = cast<SSDScanOp>(op);
  // Steps per chunk: shorter chunks mean fewer multiply-adds in C·Bᵀ and
  // M·x (which grow with it) against more passes per chunk (which shrink
  // with it); ssmc tune picks it per machine.
  DictionaryAttr tiles = ssmDialect(op).getCpuTilesAttrHelper().getAttr(op);
  IntegerAttr chunkAttr = tiles ? tiles.getAs<IntegerAttr>("chunk") : IntegerAttr();
  const int64_t chunkLen = chunkAttr ? chunkAttr.getInt() : kDefaultSSDChunk;
  // args: x, dt, A, B, C, D?, z?, dt_bias?, init_state?, seq_lens?,
  //       result, final_state
  Value x = args[0], dt = args[1], A = args[2], B = args[3], C = args[4], D = args[5], z = args[6],
        dtBias = args[7], init = args[8], seqLens = args[9], out = args[10], state = args[11];
  int64_t heads = scan.getHeads(), headDim = scan.getHeadDim(), groups = scan.getGroups();
  int64_t n = llvm::cast<MemRefType>(B.getType()).getDimSize(1) / groups;
  int64_t perGroup = heads / groups;
  int64_t vw = kb.vw;
  int64_t pVectors = (headDim + vw - 1) / vw, pw = pVectors * vw; // p padded to vectors
  // Rows per register block: rows x kColVectors accumulators fit the
  // vector registers (32 with AVX-512, 16 with AVX2).
  int64_t rowsPerBlock = vw >= 16 ? 4 : 2;
  // M's blocks: a chunk's row of columns s as vectors, and as many rows t
  // as keep the accumulators at 16 (AVX-512) or 8 (AVX2).
  int64_t mVectors = std::min(kColVectors, chunkLen / vw);
  int64_t mRows = (vw >= 16 ? 16 : 8) / mVectors;

  Value st = kb.scratch(n * pw), bt = kb.scratch(n * chunkLen),
        mm = kb.scratch(chunkLen * chunkLen), xw = kb.scratch(chunkLen * pw),
        cum = kb.scratch(chunkLen), dts = kb.scratch(chunkLen);
  Value zero = kb.splatConst(0.0);
  Value c0 = kb.index(0), c1 = kb.index(1);
  auto lane0 = [&](Value v) { return kb.b.create<vector::ExtractElementOp>(kb.loc, v, c0); };
  auto ld = [&](Value memref, ValueRange indices) -> Value {
    return kb.b.create<memref::LoadOp>(kb.loc, memref, indices);
  };
  auto st1 = [&](Value v, Value memref, ValueRange indices) {
    kb.b.create<memref::StoreOp>(kb.loc, v, memref, indices);
  };
  auto fmul = [&](Value a, Value c) { return kb.b.create<arith::MulFOp>(kb.loc, a, c); };
  auto fadd = [&](Value a, Value c) { return kb.b.create<arith::AddFOp>(kb.loc, a, c); };
  auto fsub = [&](Value a, Value c) { return kb.b.create<arith::SubFOp>(kb.loc, a, c); };
  auto sub = [&](Value a, Value c) { return kb.b.create<arith::SubIOp>(kb.loc, a, c); };
  auto lt = [&](Value a, Value c) {
    return kb.b.create<arith::CmpIOp>(kb.loc, arith::CmpIPredicate::ult, a, c);
  };
  auto scalarExp = [&](Value v) { return lane0(kb.exp(kb.splat(v))); };
  auto when = [&](Value cond, const std::function<void()> &body) {
    auto ifOp = kb.b.create<scf::IfOp>(kb.loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(kb.b);
    kb.b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    body();
  };
  /// acc[r * vb + v] += Σ_{k in [k0, k1)} a(r, k) · vec(k, v): the
  /// register-blocked product every part of the chunk is made of.
  auto product = [&](SmallVector<Value> acc, int64_t rows, int64_t vb, Value k0, Value k1,
                     const std::function<Value(int64_t r, Value k)> &a,
                     const std::function<Value(Value k, int64_t v)> &vec) {
    return kb.forLoop(k0, k1, acc, [&](Value k, ValueRange cur) -> SmallVector<Value> {
      SmallVector<Value> vs, next(cur.begin(), cur.end());
      for (int64_t v = 0; v < vb; ++v)
        vs.push_back(vec(k, v));
      for (int64_t r = 0; r < rows; ++r) {
        Value s = kb.splat(a(r, k));
        for (int64_t v = 0; v < vb; ++v)
          next[r * vb + v] = kb.fma(s, vs[v], next[r * vb + v]);
      }
      return next;
    });
  };
  /// Row |r| of the block at |r0| clamped to [0, limit): rows past the end
  /// compute a copy of the last one and store nothing.
  auto clampedRow = [&](Value r0, int64_t r, Value limit) {
    return kb.minIndex(kb.addIndex(r0, kb.index(r)), sub(limit, c1));
  };

  kb.forLoop(kb.begin, kb.end, [&](Value w) {
    Value b = kb.b.create<arith::DivUIOp>(kb.loc, w, kb.index(heads));
    Value h = kb.b.create<arith::RemUIOp>(kb.loc, w, kb.index(heads));
    Value column =
        kb.mulIndex(kb.b.create<arith::DivUIOp>(kb.loc, h, kb.index(perGroup)), kb.index(n));
    Value xColumn = kb.mulIndex(h, kb.index(headDim));
    Value len = kb.sequenceLength(seqLens, b);
    Value rowBase = kb.mulIndex(b, kb.seq);
    Value aHead = ld(A, {h});
    Value bias = dtBias ? kb.splat(ld(dtBias, {h})) : zero;
    Value dHead = D ? kb.splat(ld(D, {h})) : Value();
    auto pMask = [&](int64_t v) { return kb.tailMask(headDim, kb.index(v * vw)); };

    // St from the initial state (zeros without one); padding columns p stay 0.
    kb.forLoop(c0, kb.index(n * pw), [&](Value i) { st1(kb.f32Const(0.0), st, {i}); });
    if (init)
      kb.forLoop(c0, kb.index(headDim), [&](Value p) {
        kb.forLoop(c0, kb.index(n), [&](Value k) {
          st1(ld(init, {b, h, p, k}), st, {kb.addIndex(kb.mulIndex(k, kb.index(pw)), p)});
        });
      });

    kb.forLoop(
        c0, len,
        [&](Value t0) {
          Value steps = kb.minIndex(kb.index(chunkLen), sub(len, t0));
          auto row = [&](Value t) { return kb.addIndex(rowBase, kb.addIndex(t0, t)); };
          // Δ and cum per step; B transposed.
          kb.forLoop(c0, steps, {kb.f32Const(0.0)}, [&](Value t, ValueRange c) {
            Value d = kb.add(kb.splat(ld(dt, {row(t), h})), bias);
            d = lane0(buildTimeStep(kb, d, scan.getDtSoftplus(), scan.getDtMinAttr(),
                                    scan.getDtMaxAttr()));
            Value next = fadd(c[0], fmul(d, aHead));
            st1(d, dts, {t});
            st1(next, cum, {t});
            kb.forLoop(c0, kb.index(n), [&](Value k) {
              st1(ld(B, {row(t), kb.addIndex(column, k)}), bt,
                  {kb.addIndex(kb.mulIndex(k, kb.index(chunkLen)), t)});
            });
            return SmallVector<Value>{next};
          });
          Value cumEnd = ld(cum, {sub(steps, c1)});
          // x weighted for the chunk state: x[s][p] · Δ_s · exp(cum_end - cum_s).
          kb.forLoop(c0, steps, [&](Value s) {
            Value wgt = kb.splat(fmul(ld(dts, {s}), scalarExp(fsub(cumEnd, ld(cum, {s})))));
            for (int64_t v = 0; v < pVectors; ++v) {
              Value xv = kb.load(x, {row(s), kb.addIndex(xColumn, kb.index(v * vw))}, pMask(v));
              kb.store(xw, {kb.addIndex(kb.mulIndex(s, kb.index(pw)), kb.index(v * vw))},
                       kb.mask(kb.index(vw)), kb.mul(xv, wgt));
            }
          });
          // C[t][k] for row r of the block at r0 (clamped), a scalar.
          auto cAt = [&](Value r0, int64_t r, Value k) {
            return ld(C, {row(clampedRow(r0, r, steps)), kb.addIndex(column, k)});
          };
          // M, by blocks of rows t: columns s up to the block's last row.
          kb.forLoop(
              c0, steps,
              [&](Value r0) {
                Value sEnd = kb.minIndex(kb.addIndex(r0, kb.index(mRows)), steps);
                kb.forLoop(
                    c0, sEnd,
                    [&](Value s0) {
                      SmallVector<Value> acc(mRows * mVectors, zero);
                      acc = product(
                          acc, mRows, mVectors, c0, kb.index(n),
                          [&](int64_t r, Value k) { return cAt(r0, r, k); },
                          [&](Value k, int64_t v) {
                            Value at = kb.addIndex(kb.mulIndex(k, kb.index(chunkLen)),
                                                   kb.addIndex(s0, kb.index(v * vw)));
                            return kb.load(bt, {at}, kb.mask(kb.index(vw)));
                          });
                      for (int64_t r = 0; r < mRows; ++r) {
                        Value t = kb.addIndex(r0, kb.index(r));
                        when(lt(t, steps), [&] {
                          Value cumT = kb.splat(ld(cum, {t}));
                          for (int64_t v = 0; v < mVectors; ++v) {
                            Value s = kb.addIndex(s0, kb.index(v * vw));
                            Value cumS = kb.load(cum, {s}, kb.mask(kb.index(vw)));
                            Value m =
                                kb.mul(kb.mul(acc[r * mVectors + v], kb.exp(kb.sub(cumT, cumS))),
                                       kb.load(dts, {s}, kb.mask(kb.index(vw))));
                            // Lanes s > t are 0 (also where s is past the
                            // chunk's steps: their scratch is stale).
                            Value upTo = kb.mask(kb.minIndex(
                                kb.index(vw), kb.maxIndex(sub(kb.addIndex(t, c1), s), c0)));
                            m = kb.b.create<arith::SelectOp>(kb.loc, upTo, m, zero);
                            kb.store(mm, {kb.addIndex(kb.mulIndex(t, kb.index(chunkLen)), s)},
                                     kb.mask(kb.index(vw)), m);
                          }
                        });
                      }
                    },
                    kb.index(mVectors * vw));
              },
              kb.index(mRows));
          // y, by blocks of rows t and of up to kColVectors vectors of p.
          for (int64_t v0 = 0; v0 < pVectors; v0 += kColVectors) {
            int64_t vb = std::min(kColVectors, pVectors - v0);
            auto pAt = [&](int64_t v) { return kb.index((v0 + v) * vw); };
            kb.forLoop(
                c0, steps,
                [&](Value r0) {
                  SmallVector<Value> acc(rowsPerBlock * vb, zero);
                  acc = product(
                      acc, rowsPerBlock, vb, c0, kb.index(n),
                      [&](int64_t r, Value k) { return cAt(r0, r, k); },
                      [&](Value k, int64_t v) {
                        return kb.load(st, {kb.addIndex(kb.mulIndex(k, kb.index(pw)), pAt(v))},
                                       kb.mask(kb.index(vw)));
                      });
                  for (int64_t r = 0; r < rowsPerBlock; ++r) {
                    Value scale = kb.splat(scalarExp(ld(cum, {clampedRow(r0, r, steps)})));
                    for (int64_t v = 0; v < vb; ++v)
                      acc[r * vb + v] = kb.mul(acc[r * vb + v], scale);
                  }
                  Value sEnd = kb.minIndex(kb.addIndex(r0, kb.index(rowsPerBlock)), steps);
                  acc = product(
                      acc, rowsPerBlock, vb, c0, sEnd,
                      [&](int64_t r, Value s) {
                        Value t = clampedRow(r0, r, steps);
                        return ld(mm, {kb.addIndex(kb.mulIndex(t, kb.index(chunkLen)), s)});
                      },
                      [&](Value s, int64_t v) {
                        return kb.load(x, {row(s), kb.addIndex(xColumn, pAt(v))}, pMask(v0 + v));
                      });
                  for (int64_t r = 0; r < rowsPerBlock; ++r) {
                    Value t = kb.addIndex(r0, kb.index(r));
                    when(lt(t, steps), [&] {
                      for (int64_t v = 0; v < vb; ++v) {
                        Value col = kb.addIndex(xColumn, pAt(v));
                        Value y = acc[r * vb + v];
                        if (dHead)
                          y = kb.fma(dHead, kb.load(x, {row(t), col}, pMask(v0 + v)), y);
                        if (z)
                          y = kb.mul(y, kb.silu(kb.load(z, {row(t), col}, pMask(v0 + v))));
                        kb.store(out, {row(t), col}, pMask(v0 + v), y);
                      }
                    });
                  }
                },
                kb.index(rowsPerBlock));
          }
          // The chunk state, by blocks of state rows n.
          Value decay = kb.splat(scalarExp(cumEnd));
          for (int64_t v0 = 0; v0 < pVectors; v0 += kColVectors) {
            int64_t vb = std::min(kColVectors, pVectors - v0);
            auto at = [&](Value k, int64_t v) {
              return kb.addIndex(kb.mulIndex(k, kb.index(pw)), kb.index((v0 + v) * vw));
            };
            kb.forLoop(
                c0, kb.index(n),
                [&](Value k0) {
                  auto stateRow = [&](int64_t r) { return clampedRow(k0, r, kb.index(n)); };
                  SmallVector<Value> acc;
                  for (int64_t r = 0; r < rowsPerBlock; ++r)
                    for (int64_t v = 0; v < vb; ++v)
                      acc.push_back(
                          kb.mul(kb.load(st, {at(stateRow(r), v)}, kb.mask(kb.index(vw))), decay));
                  acc = product(
                      acc, rowsPerBlock, vb, c0, steps,
                      [&](int64_t r, Value s) {
                        return ld(B, {row(s), kb.addIndex(column, stateRow(r))});
                      },
                      [&](Value s, int64_t v) {
                        return kb.load(
                            xw,
                            {kb.addIndex(kb.mulIndex(s, kb.index(pw)), kb.index((v0 + v) * vw))},
                            kb.mask(kb.index(vw)));
                      });
                  for (int64_t r = 0; r < rowsPerBlock; ++r)
                    when(lt(kb.addIndex(k0, kb.index(r)), kb.index(n)), [&] {
                      for (int64_t v = 0; v < vb; ++v)
                        kb.store(st, {at(stateRow(r), v)}, kb.mask(kb.index(vw)), acc[r * vb + v]);
                    });
                },
                kb.index(rowsPerBlock));
          }
        },
        kb.index(chunkLen));

    kb.forLoop(c0, kb.index(headDim), [&](Value p) {
      kb.forLoop(c0, kb.index(n), [&](Value k) {
        st1(ld(st, {kb.addIndex(kb.mulIndex(k, kb.index(pw)), p)}), state, {b, h, p, k});
      });
    });
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
