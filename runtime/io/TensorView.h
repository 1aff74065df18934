//===- TensorView.h - a named tensor inside a mapped file -------*- C++ -*-===//
//
// A TensorView points into the memory map of the file that holds it and is
// valid while that file (SafeTensorsFile or Checkpoint) is alive. The bytes
// are little-endian and need not be aligned; the readers below use memcpy.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_TENSORVIEW_H
#define SSMC_RUNTIME_IO_TENSORVIEW_H

#include "runtime/Status.h"
#include "runtime/io/DType.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt {

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const uint8_t *data = nullptr;
  size_t nbytes = 0;
  /// The file that holds the tensor, for messages.
  std::string file;

  /// Product of the dimensions (1 for a scalar).
  int64_t numElements() const;
};

/// Fails unless |tensor| converts to float (F32, BF16, F16), naming the file
/// and the tensor.
Status checkFloatConvertible(const TensorView &tensor);

/// The index of the first NaN or infinity among |n| elements of |dtype|
/// (F32, BF16 or F16; unaligned) at |data|, or -1 when all are finite.
int64_t firstNonFinite(const void *data, DType dtype, int64_t n);

/// Converts |n| elements of |from| at |in| to |to| at |out|, each of F32,
/// BF16 and F16 (other types: nothing is written). Neither pointer needs to
/// be aligned. Narrowing rounds to nearest even (HalfFloat.h).
void convertElements(const void *in, DType from, void *out, DType to, size_t n);

/// Returns |tensor| converted to float. Fails for dtypes other than F32,
/// BF16 and F16 ("unsupported dtype 'I64' for tensor 'x'").
StatusOr<std::vector<float>> readFloats(const TensorView &tensor);

/// Converts |tensor| into |out|, which holds |count| floats; |count| must
/// equal the element count.
Status readFloatsInto(const TensorView &tensor, float *out, size_t count);

/// Returns |tensor| as bfloat16 bit patterns: BF16 is copied, F32 and F16
/// are rounded to nearest even (F16 -> BF16 can lose mantissa bits).
StatusOr<std::vector<uint16_t>> readBf16(const TensorView &tensor);

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_TENSORVIEW_H
