//===- TensorView.cpp - converting tensor bytes to float and bf16 ---------===//

#include "runtime/io/TensorView.h"
#include "runtime/io/HalfFloat.h"
#include "runtime/io/Utf8.h"

#include <cstring>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; big-endian hosts are not supported"
#endif

namespace ssmrt {

int64_t TensorView::numElements() const {
  // A zero dimension first, so that [huge, huge, 0] cannot overflow.
  for (int64_t d : shape)
    if (d == 0)
      return 0;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static std::string tensorPrefix(const TensorView &t) {
  return t.file + ": tensor '" + printableForMessage(t.name) + "'";
}

static Status checkConvertible(const TensorView &t) {
  if (!isFloatConvertible(t.dtype))
    return Status::error(t.file + ": unsupported dtype '" +
                         std::string(dtypeName(t.dtype)) + "' for tensor '" +
                         printableForMessage(t.name) +
                         "' (only F32, BF16 and F16 convert to float)");
  return okStatus();
}

static uint16_t load16(const uint8_t *p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

Status readFloatsInto(const TensorView &t, float *out, size_t count) {
  SSMRT_RETURN_IF_ERROR(checkConvertible(t));
  size_t n = t.nbytes / dtypeSize(t.dtype);
  if (count != n)
    return Status::error(tensorPrefix(t) + ": has " + std::to_string(n) +
                         " elements but the destination holds " +
                         std::to_string(count));
  switch (t.dtype) {
  case DType::F32:
    if (n)
      std::memcpy(out, t.data, n * sizeof(float));
    break;
  case DType::BF16:
    for (size_t i = 0; i < n; ++i)
      out[i] = bf16ToFloat(load16(t.data + 2 * i));
    break;
  case DType::F16:
    for (size_t i = 0; i < n; ++i)
      out[i] = halfToFloat(load16(t.data + 2 * i));
    break;
  default:
    break;
  }
  return okStatus();
}

StatusOr<std::vector<float>> readFloats(const TensorView &t) {
  SSMRT_RETURN_IF_ERROR(checkConvertible(t));
  std::vector<float> out(t.nbytes / dtypeSize(t.dtype));
  SSMRT_RETURN_IF_ERROR(readFloatsInto(t, out.data(), out.size()));
  return out;
}

StatusOr<std::vector<uint16_t>> readBf16(const TensorView &t) {
  SSMRT_RETURN_IF_ERROR(checkConvertible(t));
  size_t n = t.nbytes / dtypeSize(t.dtype);
  std::vector<uint16_t> out(n);
  switch (t.dtype) {
  case DType::BF16:
    if (n)
      std::memcpy(out.data(), t.data, n * sizeof(uint16_t));
    break;
  case DType::F32:
    for (size_t i = 0; i < n; ++i) {
      float f;
      std::memcpy(&f, t.data + 4 * i, sizeof(f));
      out[i] = floatToBf16(f);
    }
    break;
  case DType::F16:
    for (size_t i = 0; i < n; ++i)
      out[i] = floatToBf16(halfToFloat(load16(t.data + 2 * i)));
    break;
  default:
    break;
  }
  return out;
}

} // namespace ssmrt
