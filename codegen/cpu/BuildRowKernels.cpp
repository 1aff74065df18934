//===- BuildRowKernels.cpp - embedding, norms, elementwise on token rows --===//
//
// One work item per token row; each row is processed in chunks of VW lanes
// with a masked tail.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CPUKernels.h"

#include "dialect/SSMOpTable.h"
#include "dialect/SSMOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
int64_t widthOf(Value memref) { return llvm::cast<MemRefType>(memref.getType()).getDimSize(1); }

/// Runs |body(row, c0, mask)| for every row of the work range and every
/// VW-wide chunk of |width| columns.
void forEachChunk(KernelBuilder &kb, int64_t width,
                  const std::function<void(Value row, Value c0, Value mask)> &body) {
  kb.forLoop(kb.begin, kb.end, [&](Value row) {
    kb.forLoop(
        kb.index(0), kb.index(width), [&](Value c0) { body(row, c0, kb.tailMask(width, c0)); },
        kb.index(kb.vw));
  });
}
} // namespace

KernelSpec mlir::ssm::buildEmbeddingKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  Value table = args[0], ids = args[1], out = args[2];
  int64_t width = widthOf(out);
  forEachChunk(kb, width, [&](Value row, Value c0, Value mask) {
    Value id = kb.b.create<memref::LoadOp>(kb.loc, ids, ValueRange{row});
    Value idx = kb.b.create<arith::IndexCastOp>(kb.loc, kb.b.getIndexType(), id);
    kb.store(out, {row, c0}, mask, kb.load(table, {idx, c0}, mask));
  });
  return {KernelParallel::Rows, 1};
}

KernelSpec mlir::ssm::buildNormKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  // rmsnorm: input, weight -> normed. add_rmsnorm: input, residual, weight
  // -> normed, sum (the sum is written first, then normalized from there).
  bool withAdd = isa<AddRMSNormOp>(op);
  double eps = withAdd ? cast<AddRMSNormOp>(op).getEps().convertToDouble()
                       : cast<RMSNormOp>(op).getEps().convertToDouble();
  Value input = args[0];
  Value weight = withAdd ? args[2] : args[1];
  Value normed = withAdd ? args[3] : args[2];
  Value source = withAdd ? args[4] : input; // where the normalized values are read
  int64_t width = widthOf(normed);
  kb.forLoop(kb.begin, kb.end, [&](Value row) {
    Value sumSq = kb.forLoop(
        kb.index(0), kb.index(width), {kb.splatConst(0.0)},
        [&](Value c0, ValueRange acc) -> SmallVector<Value> {
          Value mask = kb.tailMask(width, c0);
          Value x = kb.load(input, {row, c0}, mask);
          if (withAdd) {
            x = kb.add(x, kb.load(args[1], {row, c0}, mask));
            kb.store(source, {row, c0}, mask, x);
          }
          return {kb.fma(x, x, acc[0])};
        },
        kb.index(kb.vw))[0];
    Value total = kb.b.create<vector::ReductionOp>(kb.loc, vector::CombiningKind::ADD, sumSq);
    Value mean = kb.b.create<arith::DivFOp>(kb.loc, total, kb.f32Const(double(width)));
    Value inv = kb.b.create<math::RsqrtOp>(
        kb.loc, kb.b.create<arith::AddFOp>(kb.loc, mean, kb.f32Const(eps)));
    Value invVec = kb.splat(inv);
    kb.forLoop(
        kb.index(0), kb.index(width),
        [&](Value c0) {
          Value mask = kb.tailMask(width, c0);
          Value x = kb.load(source, {row, c0}, mask);
          Value w = kb.load(weight, {c0}, mask);
          kb.store(normed, {row, c0}, mask, kb.mul(kb.mul(x, invVec), w));
        },
        kb.index(kb.vw));
  });
  return {KernelParallel::Rows, 1};
}

KernelSpec mlir::ssm::buildGatedNormKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args) {
  // RMSNorm per group of x·silu(z) (or of x, gated after, with
  // norm_before_gate). The first pass writes the normalized operand to the
  // output, the second scales it there.
  auto norm = cast<GatedRMSNormOp>(op);
  Value input = args[0], gate = args[1], weight = args[2], out = args[3];
  bool gateFirst = !norm.getNormBeforeGate();
  int64_t width = widthOf(out), group = norm.getGroupSize();
  double eps = norm.getEps().convertToDouble();
  kb.forLoop(kb.begin, kb.end, [&](Value row) {
    for (int64_t g0 = 0; g0 < width; g0 += group) {
      auto forGroup = [&](ValueRange init,
                          const std::function<SmallVector<Value>(Value, Value, ValueRange)> &body) {
        return kb.forLoop(
            kb.index(0), kb.index(group), init,
            [&](Value c, ValueRange acc) {
              return body(kb.addIndex(c, kb.index(g0)), kb.tailMask(group, c), acc);
            },
            kb.index(kb.vw));
      };
      Value sumSq = forGroup({kb.splatConst(0.0)}, [&](Value c0, Value mask, ValueRange acc) {
        Value x = kb.load(input, {row, c0}, mask);
        if (gateFirst)
          x = kb.mul(x, kb.silu(kb.load(gate, {row, c0}, mask)));
        kb.store(out, {row, c0}, mask, x);
        return SmallVector<Value>{kb.fma(x, x, acc[0])};
      })[0];
      Value mean =
          kb.b.create<arith::DivFOp>(kb.loc, kb.reduceAdd(sumSq), kb.f32Const(double(group)));
      Value inv = kb.splat(kb.b.create<math::RsqrtOp>(
          kb.loc, kb.b.create<arith::AddFOp>(kb.loc, mean, kb.f32Const(eps))));
      forGroup({}, [&](Value c0, Value mask, ValueRange) {
        Value y = kb.mul(kb.mul(kb.load(out, {row, c0}, mask), inv), kb.load(weight, {c0}, mask));
        if (!gateFirst)
          y = kb.mul(y, kb.silu(kb.load(gate, {row, c0}, mask)));
        kb.store(out, {row, c0}, mask, y);
        return SmallVector<Value>{};
      });
    }
  });
  return {KernelParallel::Rows, 1};
}

namespace {

/// The vector expression of a unary op of |a|, or of a binary op of |a| and
/// |b|; null for an op without one.
Value elementwiseExpression(KernelBuilder &kb, Operation *op, Value a, Value b) {
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](AddOp) { return kb.add(a, b); })
      .Case([&](MulOp) { return kb.mul(a, b); })
      .Case([&](NegOp) { return kb.b.create<arith::NegFOp>(kb.loc, a); })
      .Case([&](ExpOp) { return kb.exp(a); })
      .Case([&](SiluOp) { return kb.silu(a); })
      .Case([&](SoftplusOp sp) {
        // Its own threshold (KernelBuilder::softplus is torch's 20).
        Value above =
            kb.b.create<arith::CmpFOp>(kb.loc, arith::CmpFPredicate::OGT, a,
                                       kb.splatConst(sp.getThreshold().convertToDouble()));
        return kb.b.create<arith::SelectOp>(kb.loc, above, a,
                                            kb.b.create<math::Log1pOp>(kb.loc, kb.exp(a)));
      })
      .Default([](Operation *) { return Value(); });
}

} // namespace

FailureOr<KernelSpec> mlir::ssm::buildElementwiseKernel(KernelBuilder &kb, Operation *op,
                                                        ArrayRef<Value> args) {
  bool binary = opInfoOf(op)->form == ssmrt::OpForm::Binary;
  Value out = args[binary ? 2 : 1];
  int64_t width = widthOf(out);
  // A binary op's second operand is an activation or a [width] weight.
  bool rhsIsRow = binary && llvm::cast<MemRefType>(args[1].getType()).getRank() == 2;
  bool known = true;
  forEachChunk(kb, width, [&](Value row, Value c0, Value mask) {
    Value x = kb.load(args[0], {row, c0}, mask);
    Value rhs;
    if (binary)
      rhs = rhsIsRow ? kb.load(args[1], {row, c0}, mask) : kb.load(args[1], {c0}, mask);
    Value y = elementwiseExpression(kb, op, x, rhs);
    known = static_cast<bool>(y);
    if (known)
      kb.store(out, {row, c0}, mask, y);
  });
  if (!known)
    return op->emitError() << "internal: '" << op->getName()
                           << "' is elementwise in the op table but has no CPU expression "
                              "(codegen/cpu/BuildRowKernels.cpp)";
  return KernelSpec{KernelParallel::Rows, 1};
}
