//===- HalfFloat.h - bfloat16 and IEEE half conversions ---------*- C++ -*-===//
//
// Widening (bf16/f16 -> f32) is exact, including subnormals, infinities and
// NaN payloads. Narrowing rounds to nearest, ties to even, as PyTorch does;
// NaN stays a quiet NaN with the sign and top payload bits kept.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_HALFFLOAT_H
#define SSMC_RUNTIME_IO_HALFFLOAT_H

#include <cstdint>
#include <cstring>

namespace ssmrt {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

inline float floatFromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

inline float bf16ToFloat(uint16_t b) { return floatFromBits(uint32_t(b) << 16); }

inline uint16_t floatToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7FFFFFFF) > 0x7F800000)
    return static_cast<uint16_t>((u >> 16) | 0x0040);
  u += 0x7FFF + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}

inline float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1F;
  uint32_t mantissa = h & 0x3FF;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return floatFromBits(floatBits(magnitude) | sign);
  }
  if (exponent == 31)
    return floatFromBits(sign | 0x7F800000 | (mantissa << 13));
  return floatFromBits(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

inline uint16_t floatToHalf(float f) {
  uint32_t u = floatBits(f);
  uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000);
  uint32_t a = u & 0x7FFFFFFF;
  if (a > 0x7F800000) // NaN
    return sign | 0x7E00 | static_cast<uint16_t>((a >> 13) & 0x3FF);
  if (a >= 0x477FF000) // >= 65520 rounds to infinity
    return sign | 0x7C00;
  if (a >= 0x38800000) { // normal half: rebias exponent, round 13 bits
    uint32_t r = a - 0x38000000;
    r += 0xFFF + ((r >> 13) & 1);
    return sign | static_cast<uint16_t>(r >> 13);
  }
  if (a < 0x33000000) // <= 2^-25 rounds to zero
    return sign;
  // Subnormal half: round (1.m * 2^(e-127)) * 2^24 to an integer.
  uint32_t e = a >> 23;
  uint32_t m = (a & 0x7FFFFF) | 0x800000;
  uint32_t shift = 126 - e;
  uint32_t r = m >> shift;
  uint32_t rest = m & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (r & 1)))
    ++r;
  return sign | static_cast<uint16_t>(r);
}

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_HALFFLOAT_H
