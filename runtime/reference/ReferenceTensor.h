//===- ReferenceTensor.h - a dense float64 tensor ---------------*- C++ -*-===//
//
// The value type of the reference interpreter: a row-major shape and its
// elements in double precision. Integer tensors (token ids, seq_lens) are
// held as doubles too; they are exact up to 2^53.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_REFERENCE_REFERENCETENSOR_H
#define SSMC_RUNTIME_REFERENCE_REFERENCETENSOR_H

#include "runtime/artifact/Program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt {

/// "[2, 5, 16]" (dynamic sizes print as -1).
std::string formatShape(const std::vector<int64_t> &shape);

struct RefTensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  RefTensor() = default;
  /// A zero-filled tensor of |shape|.
  explicit RefTensor(std::vector<int64_t> shape);
  RefTensor(std::vector<int64_t> shape, std::vector<double> data);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numElements() const { return shapeElements(shape); }
  /// True when every dimension is non-negative and |data| holds exactly
  /// numElements() values.
  bool isWellFormed() const;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_REFERENCE_REFERENCETENSOR_H
