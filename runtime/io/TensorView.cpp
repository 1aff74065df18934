//===- TensorView.cpp - converting tensor bytes to float and bf16 ---------===//

#include "runtime/io/TensorView.h"
#include "runtime/io/HalfFloat.h"
#include "runtime/io/Utf8.h"

#include <algorithm>
#include <cstring>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; big-endian hosts are not supported"
#endif

namespace ssmrt {

int64_t firstNonFinite(const void *data, DType dtype, int64_t n) {
  const uint8_t *p = static_cast<const uint8_t *>(data);
  // All exponent bits set: infinity or NaN. Blocks without a branch per
  // element (the compiler vectorizes them); the element only in a bad block.
  auto scan = [&](auto word, auto exponent) -> int64_t {
    using W = decltype(word);
    auto bad = [&](int64_t i) {
      W w;
      std::memcpy(&w, p + i * sizeof(W), sizeof(W));
      return (w & exponent) == exponent;
    };
    constexpr int64_t kBlock = 4096;
    for (int64_t b = 0; b < n; b += kBlock) {
      int64_t end = std::min(n, b + kBlock);
      bool any = false;
      for (int64_t i = b; i < end; ++i)
        any |= bad(i);
      if (any)
        for (int64_t i = b; i < end; ++i)
          if (bad(i))
            return i;
    }
    return -1;
  };
  switch (dtype) {
  case DType::F32: return scan(uint32_t(0), uint32_t(0x7f800000u));
  case DType::BF16: return scan(uint16_t(0), uint16_t(0x7f80u));
  case DType::F16: return scan(uint16_t(0), uint16_t(0x7c00u));
  default: return -1;
  }
}

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

Status checkFloatConvertible(const TensorView &t) {
  if (!isFloatConvertible(t.dtype))
    return Status::error(t.file + ": unsupported dtype '" + std::string(dtypeName(t.dtype)) +
                         "' for tensor '" + printableForMessage(t.name) +
                         "' (only F32, BF16 and F16 convert to float)");
  return okStatus();
}

static uint16_t load16(const uint8_t *p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

static float loadAsFloat(const uint8_t *p, DType dtype) {
  switch (dtype) {
  case DType::BF16: return bf16ToFloat(load16(p));
  case DType::F16: return halfToFloat(load16(p));
  default: {
    float f;
    std::memcpy(&f, p, sizeof(f));
    return f;
  }
  }
}

void convertElements(const void *in, DType from, void *out, DType to, size_t n) {
  if (!isFloatConvertible(from) || !isFloatConvertible(to))
    return;
  const uint8_t *src = static_cast<const uint8_t *>(in);
  uint8_t *dst = static_cast<uint8_t *>(out);
  if (from == to) {
    if (n)
      std::memcpy(dst, src, n * dtypeSize(from));
    return;
  }
  size_t inSize = dtypeSize(from), outSize = dtypeSize(to);
  for (size_t i = 0; i < n; ++i) {
    float f = loadAsFloat(src + i * inSize, from);
    if (to == DType::F32) {
      std::memcpy(dst + i * outSize, &f, sizeof(f));
      continue;
    }
    uint16_t h = to == DType::BF16 ? floatToBf16(f) : floatToHalf(f);
    std::memcpy(dst + i * outSize, &h, sizeof(h));
  }
}

Status readFloatsInto(const TensorView &t, float *out, size_t count) {
  SSMRT_RETURN_IF_ERROR(checkFloatConvertible(t));
  size_t n = t.nbytes / dtypeSize(t.dtype);
  if (count != n)
    return Status::error(tensorPrefix(t) + ": has " + std::to_string(n) +
                         " elements but the destination holds " + std::to_string(count));
  convertElements(t.data, t.dtype, out, DType::F32, n);
  return okStatus();
}

StatusOr<std::vector<float>> readFloats(const TensorView &t) {
  SSMRT_RETURN_IF_ERROR(checkFloatConvertible(t));
  std::vector<float> out(t.nbytes / dtypeSize(t.dtype));
  SSMRT_RETURN_IF_ERROR(readFloatsInto(t, out.data(), out.size()));
  return out;
}

StatusOr<std::vector<uint16_t>> readBf16(const TensorView &t) {
  SSMRT_RETURN_IF_ERROR(checkFloatConvertible(t));
  size_t n = t.nbytes / dtypeSize(t.dtype);
  std::vector<uint16_t> out(n);
  convertElements(t.data, t.dtype, out.data(), DType::BF16, n);
  return out;
}

} // namespace ssmrt
