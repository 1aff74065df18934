//===- KernelBuilder.h - helpers to build CPU kernels in MLIR ---*- C++ -*-===//
//
// CPU kernels are func.func ops on memrefs, built with scf loops and 1-D
// vector ops of the target's width (VW f32 lanes), then lowered to LLVM.
// Argument types follow the kernel ABI (docs/artifact.md):
//   activations  memref<?xWxf32, strided<[?, 1], offset: ?>>  (token rows)
//   weights      memref<d0x...xf32>                            (static)
//   states       memref<?xd1x...xf32>                          (per batch row)
//   token ids, sequence lengths  memref<?xi32>
// then, for kernels that need one, a workspace memref<?xf32> (scratch floats
// per batch row, allocated by the runtime), then the index arguments batch,
// seq, begin, end, phase. A kernel with several phases is called once per
// phase over the whole work range, with a barrier in between.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CPU_KERNELBUILDER_H
#define SSMC_CODEGEN_CPU_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <functional>

namespace mlir::ssm {

/// Builds one kernel function: its signature, then its body through small
/// helpers over an insertion point that loops move in and out of.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &moduleBuilder, Location loc, int64_t vectorWidth)
      : b(moduleBuilder), loc(loc), vw(vectorWidth) {}

  // Types.
  Type f32() { return b.getF32Type(); }
  VectorType vecType() { return VectorType::get({vw}, f32()); }
  VectorType maskType() { return VectorType::get({vw}, b.getI1Type()); }
  MemRefType activationType(int64_t width);
  MemRefType weightType(ArrayRef<int64_t> shape);
  MemRefType stateType(ArrayRef<int64_t> perBatchShape);
  MemRefType idsType();

  /// Creates `func.func @name(args..., [workspace,] batch, seq, begin, end,
  /// phase)` with an entry block and moves the insertion point into it. The
  /// index arguments (and the workspace) are available as members afterwards.
  func::FuncOp beginFunction(StringRef name, ArrayRef<Type> memrefArgs, bool withWorkspace = false);
  /// Adds the return and leaves the function.
  void endFunction();

  // Scalars.
  Value index(int64_t v);
  Value f32Const(double v);
  Value minIndex(Value a, Value c);
  Value maxIndex(Value a, Value c);
  Value addIndex(Value a, Value c);
  Value mulIndex(Value a, Value c);

  // Vectors.
  Value splat(Value scalar);
  Value splatConst(double v) { return splat(f32Const(v)); }
  Value add(Value x, Value y);
  Value sub(Value x, Value y);
  Value mul(Value x, Value y);
  Value div(Value x, Value y);
  Value fma(Value x, Value y, Value acc);
  Value exp(Value x);
  /// x · sigmoid(x), as x / (1 + exp(-x)).
  Value silu(Value x);
  /// torch softplus: x where x > 20, else log1p(exp(x)).
  Value softplus(Value x);
  /// Mask of the first |valid| lanes.
  Value mask(Value valid);
  /// Mask of the lanes of the chunk at |c0| that lie below |length|: all VW
  /// of them but in the last, partial chunk.
  Value tailMask(int64_t length, Value c0);
  /// Loads VW floats at [indices] (last index the first lane), lanes outside
  /// |mask| read as 0.
  Value load(Value memref, ValueRange indices, Value mask);
  void store(Value memref, ValueRange indices, Value mask, Value v);
  /// A vector whose lane j is |scalarAt(j)| for j < VW.
  Value gatherLanes(const std::function<Value(Value lane)> &scalarAt);
  /// Stores lane j of |v| through |storeAt(j, scalar)| for j < |valid|.
  void scatterLanes(Value v, Value valid,
                    const std::function<void(Value lane, Value scalar)> &storeAt);

  /// scf.for lb..ub (step 1 unless given) carrying |init|; |body| returns
  /// the values for the next iteration. Returns the final values.
  SmallVector<Value>
  forLoop(Value lb, Value ub, ValueRange init,
          const std::function<SmallVector<Value>(Value iv, ValueRange args)> &body,
          Value step = Value());
  /// scf.for without carried values.
  void forLoop(Value lb, Value ub, const std::function<void(Value iv)> &body, Value step = Value());

  /// Emits `if (phase == index) body()`.
  void inPhase(int64_t index, const std::function<void()> &body);

  /// seqLens[b] clamped to [0, seq], or seq when there are no lengths.
  Value sequenceLength(Value seqLens, Value b);
  /// For a (batch row, channel block) work item |w| with |blocks| blocks per
  /// row: the batch row, the first channel, and the mask of valid lanes
  /// (channels past |channels| are off).
  struct BlockItem {
    Value b, c0, valid, mask;
  };
  BlockItem blockItem(Value w, int64_t blocks, int64_t channels);

  /// A stack tile memref<rows x VW x f32>, allocated at function entry so
  /// loops do not grow the stack.
  Value tile(int64_t rows);
  /// A stack memref<floats x f32>, allocated at function entry.
  Value scratch(int64_t floats);
  /// The sum of the lanes of |v| (a scalar).
  Value reduceAdd(Value v);

  OpBuilder &b;
  Location loc;
  int64_t vw;
  Value batch, seq, begin, end, phase, workspace;

private:
  func::FuncOp func_;
};

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CPU_KERNELBUILDER_H
