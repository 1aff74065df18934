//===- SSMShapeCheck.h - shape checks shared by ssm verifiers ---*- C++ -*-===//
//
// Verifier helpers that produce messages naming the operand and the expected
// versus actual shape, e.g.
//   'ssm.linear' op operand 'weight' has shape [3072, 700] but expected [3072, 768]
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_DIALECT_SSMSHAPECHECK_H
#define SSMC_DIALECT_SSMSHAPECHECK_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include <string>

namespace mlir::ssm {

/// In an expected shape: any size, dynamic or static (batch and sequence).
constexpr int64_t kAnyDim = ShapedType::kDynamic;

/// Formats a shape as "[?, ?, 1536]".
std::string formatShape(ArrayRef<int64_t> shape);

/// Returns the shape of a ranked tensor value.
ArrayRef<int64_t> shapeOf(Value value);

/// Size of dimension |dim| of |value|, or kAnyDim when it is dynamic. Used to
/// propagate batch and sequence sizes from one operand to the others.
int64_t dimOrAny(Value value, int64_t dim);

/// Checks that |value| (called |name| in the message, e.g. "operand 'delta'")
/// has exactly |expected|.size() dimensions, and that each dimension agrees:
/// a kAnyDim entry accepts anything; a concrete entry needs that static size
/// (a dynamic actual size is rejected, feature dimensions must be static).
LogicalResult checkShape(Operation *op, StringRef name, Value value, ArrayRef<int64_t> expected);

/// Checks that |value| has rank |rank| and static sizes in every dimension
/// from |firstStaticDim| on.
LogicalResult checkRank(Operation *op, StringRef name, Value value, int64_t rank,
                        int64_t firstStaticDim = 0);

/// Like checkShape for a batch/sequence activation: [B, L, features...] where
/// B and L come from |like| (kAnyDim where dynamic).
LogicalResult checkActivation(Operation *op, StringRef name, Value value, Value like,
                              ArrayRef<int64_t> features);

} // namespace mlir::ssm

#endif // SSMC_DIALECT_SSMSHAPECHECK_H
