//===- QuantizeInt8.h - symmetric int8 in groups along rows -----*- C++ -*-===//
//
// The int8 format of weights (WeightStore::paramInt8) and of a decode
// step's activations (SmallGemmInt8): each row in groups of |group|
// consecutive values, one f32 scale per group, scale = max|v| / 127 and
// q = round(v / scale), so v ≈ q · scale.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_EXEC_QUANTIZEINT8_H
#define SSMC_RUNTIME_EXEC_QUANTIZEINT8_H

#include <cstdint>

namespace ssmrt {

/// x [rows, cols] (rows ldx apart) into q [rows, cols] and scales [rows,
/// ceil(cols / group)].
void quantizeInt8Groups(const float *x, int64_t ldx, int64_t rows, int64_t cols, int64_t group,
                        int8_t *q, float *scales);

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_QUANTIZEINT8_H
