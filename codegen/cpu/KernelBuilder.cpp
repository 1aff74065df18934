//===- KernelBuilder.cpp - helpers to build CPU kernels in MLIR -----------===//
#include "codegen/cpu/KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::ssm;

MemRefType KernelBuilder::activationType(int64_t width) {
  auto layout =
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, {ShapedType::kDynamic, 1});
  return MemRefType::get({ShapedType::kDynamic, width}, f32(), layout);
}

MemRefType KernelBuilder::weightType(ArrayRef<int64_t> shape) {
  return MemRefType::get(shape, f32());
}

MemRefType KernelBuilder::stateType(ArrayRef<int64_t> perBatchShape) {
  SmallVector<int64_t> shape = {ShapedType::kDynamic};
  shape.append(perBatchShape.begin(), perBatchShape.end());
  return MemRefType::get(shape, f32());
}

MemRefType KernelBuilder::idsType() {
  return MemRefType::get({ShapedType::kDynamic}, b.getI32Type());
}

func::FuncOp KernelBuilder::beginFunction(StringRef name, ArrayRef<Type> memrefArgs,
                                          bool withWorkspace) {
  SmallVector<Type> args(memrefArgs.begin(), memrefArgs.end());
  if (withWorkspace)
    args.push_back(MemRefType::get({ShapedType::kDynamic}, f32()));
  args.append(5, b.getIndexType());
  func_ = b.create<func::FuncOp>(loc, name, b.getFunctionType(args, {}));
  Block *entry = func_.addEntryBlock();
  b.setInsertionPointToStart(entry);
  unsigned n = entry->getNumArguments();
  batch = entry->getArgument(n - 5);
  seq = entry->getArgument(n - 4);
  begin = entry->getArgument(n - 3);
  end = entry->getArgument(n - 2);
  phase = entry->getArgument(n - 1);
  workspace = withWorkspace ? entry->getArgument(n - 6) : Value();
  return func_;
}

void KernelBuilder::endFunction() {
  b.create<func::ReturnOp>(loc);
  b.setInsertionPointAfter(func_);
}

Value KernelBuilder::index(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }

Value KernelBuilder::f32Const(double v) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(static_cast<float>(v)));
}

Value KernelBuilder::minIndex(Value a, Value c) { return b.create<arith::MinSIOp>(loc, a, c); }
Value KernelBuilder::maxIndex(Value a, Value c) { return b.create<arith::MaxSIOp>(loc, a, c); }
Value KernelBuilder::addIndex(Value a, Value c) { return b.create<arith::AddIOp>(loc, a, c); }
Value KernelBuilder::mulIndex(Value a, Value c) { return b.create<arith::MulIOp>(loc, a, c); }

Value KernelBuilder::splat(Value scalar) {
  return b.create<vector::BroadcastOp>(loc, vecType(), scalar);
}

Value KernelBuilder::add(Value x, Value y) { return b.create<arith::AddFOp>(loc, x, y); }
Value KernelBuilder::sub(Value x, Value y) { return b.create<arith::SubFOp>(loc, x, y); }
Value KernelBuilder::mul(Value x, Value y) { return b.create<arith::MulFOp>(loc, x, y); }
Value KernelBuilder::div(Value x, Value y) { return b.create<arith::DivFOp>(loc, x, y); }
Value KernelBuilder::fma(Value x, Value y, Value acc) {
  return b.create<vector::FMAOp>(loc, x, y, acc);
}
Value KernelBuilder::exp(Value x) { return b.create<math::ExpOp>(loc, x); }

Value KernelBuilder::silu(Value x) {
  Value one = splatConst(1.0);
  Value negX = b.create<arith::NegFOp>(loc, x);
  return div(x, add(one, exp(negX)));
}

Value KernelBuilder::softplus(Value x) {
  Value above = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, splatConst(20.0));
  Value soft = b.create<math::Log1pOp>(loc, exp(x));
  return b.create<arith::SelectOp>(loc, above, x, soft);
}

Value KernelBuilder::mask(Value valid) {
  return b.create<vector::CreateMaskOp>(loc, maskType(), ValueRange{valid});
}

Value KernelBuilder::tailMask(int64_t length, Value c0) {
  return mask(minIndex(index(vw), b.create<arith::SubIOp>(loc, index(length), c0)));
}

Value KernelBuilder::load(Value memref, ValueRange indices, Value m) {
  return b.create<vector::MaskedLoadOp>(loc, vecType(), memref, indices, m, splatConst(0.0));
}

void KernelBuilder::store(Value memref, ValueRange indices, Value m, Value v) {
  b.create<vector::MaskedStoreOp>(loc, memref, indices, m, v);
}

Value KernelBuilder::gatherLanes(const std::function<Value(Value lane)> &scalarAt) {
  Value zero = splatConst(0.0);
  return forLoop(index(0), index(vw), {zero},
                 [&](Value lane, ValueRange args) -> SmallVector<Value> {
                   Value s = scalarAt(lane);
                   return {b.create<vector::InsertElementOp>(loc, s, args[0], lane)};
                 })[0];
}

void KernelBuilder::scatterLanes(Value v, Value valid,
                                 const std::function<void(Value lane, Value scalar)> &storeAt) {
  forLoop(index(0), valid,
          [&](Value lane) { storeAt(lane, b.create<vector::ExtractElementOp>(loc, v, lane)); });
}

SmallVector<Value>
KernelBuilder::forLoop(Value lb, Value ub, ValueRange init,
                       const std::function<SmallVector<Value>(Value, ValueRange)> &body,
                       Value step) {
  if (!step)
    step = index(1);
  auto loop = b.create<scf::ForOp>(loc, lb, ub, step, init,
                                   [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
                                     // |nested| is |b| with its insertion point in the loop body.
                                     SmallVector<Value> next = body(iv, args);
                                     nested.create<scf::YieldOp>(loc, next);
                                   });
  return SmallVector<Value>(loop.getResults());
}

void KernelBuilder::forLoop(Value lb, Value ub, const std::function<void(Value)> &body,
                            Value step) {
  forLoop(
      lb, ub, {},
      [&](Value iv, ValueRange) -> SmallVector<Value> {
        body(iv);
        return {};
      },
      step);
}

Value KernelBuilder::tile(int64_t rows) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&func_.getBody().front());
  return b.create<memref::AllocaOp>(loc, MemRefType::get({rows, vw}, f32()));
}

Value KernelBuilder::scratch(int64_t floats) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&func_.getBody().front());
  return b.create<memref::AllocaOp>(loc, MemRefType::get({floats}, f32()));
}

Value KernelBuilder::reduceAdd(Value v) {
  return b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, v);
}

void KernelBuilder::inPhase(int64_t index, const std::function<void()> &body) {
  Value is = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, phase, this->index(index));
  auto ifOp = b.create<scf::IfOp>(loc, is, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  body();
}

Value KernelBuilder::sequenceLength(Value seqLens, Value b) {
  if (!seqLens)
    return seq;
  Value len = this->b.create<memref::LoadOp>(loc, seqLens, ValueRange{b});
  len = this->b.create<arith::IndexCastOp>(loc, this->b.getIndexType(), len);
  return minIndex(maxIndex(len, index(0)), seq);
}

KernelBuilder::BlockItem KernelBuilder::blockItem(Value w, int64_t blocks, int64_t channels) {
  BlockItem item;
  item.b = b.create<arith::DivUIOp>(loc, w, index(blocks));
  item.c0 = mulIndex(b.create<arith::RemUIOp>(loc, w, index(blocks)), index(vw));
  item.valid = minIndex(index(vw), b.create<arith::SubIOp>(loc, index(channels), item.c0));
  item.mask = mask(item.valid);
  return item;
}
