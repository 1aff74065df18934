//===- SSMShapeCheck.cpp - shape checks shared by ssm verifiers -----------===//
#include "dialect/SSMShapeCheck.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string ssm::formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

ArrayRef<int64_t> ssm::shapeOf(Value value) {
  return llvm::cast<RankedTensorType>(value.getType()).getShape();
}

int64_t ssm::dimOrAny(Value value, int64_t dim) {
  ArrayRef<int64_t> shape = shapeOf(value);
  if (dim < 0 || dim >= static_cast<int64_t>(shape.size()))
    return kAnyDim;
  return shape[dim];
}

LogicalResult ssm::checkShape(Operation *op, StringRef name, Value value,
                              ArrayRef<int64_t> expected) {
  ArrayRef<int64_t> actual = shapeOf(value);
  bool ok = actual.size() == expected.size();
  for (size_t i = 0; ok && i < actual.size(); ++i) {
    if (expected[i] == kAnyDim)
      continue;
    ok = actual[i] == expected[i];
  }
  if (ok)
    return success();
  return op->emitOpError() << name << " has shape " << formatShape(actual) << " but expected "
                           << formatShape(expected);
}

LogicalResult ssm::checkRank(Operation *op, StringRef name, Value value, int64_t rank,
                             int64_t firstStaticDim) {
  ArrayRef<int64_t> actual = shapeOf(value);
  if (static_cast<int64_t>(actual.size()) != rank)
    return op->emitOpError() << name << " has shape " << formatShape(actual)
                             << " but expected rank " << rank;
  for (int64_t i = firstStaticDim; i < rank; ++i)
    if (ShapedType::isDynamic(actual[i]))
      return op->emitOpError() << name << " has shape " << formatShape(actual) << " but dimension "
                               << i << " must be static";
  return success();
}

LogicalResult ssm::checkActivation(Operation *op, StringRef name, Value value, Value like,
                                   ArrayRef<int64_t> features) {
  SmallVector<int64_t> expected = {dimOrAny(like, 0), dimOrAny(like, 1)};
  expected.append(features.begin(), features.end());
  return checkShape(op, name, value, expected);
}
