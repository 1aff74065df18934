//===- HalfFloatTest.cpp - bf16/fp16 conversions against references -------===//
//
// The references compute in double with ldexp and pick the nearest
// representable value by search, independently of the bit tricks in
// HalfFloat.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/HalfFloat.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <vector>

using namespace ssmrt;

namespace {

/// IEEE binary16 value of |h| (NaN for NaNs).
double halfValue(uint16_t h) {
  int sign = h >> 15, exponent = (h >> 10) & 31, mantissa = h & 1023;
  double v;
  if (exponent == 0)
    v = std::ldexp(mantissa, -24);
  else if (exponent == 31)
    v = mantissa ? NAN : INFINITY;
  else
    v = std::ldexp(1024 + mantissa, exponent - 25);
  return sign ? -v : v;
}

/// The non-negative half values in increasing order, with 65536 standing
/// for infinity (its bit pattern 0x7C00 is "even", as round-to-even needs).
const std::vector<std::pair<double, uint16_t>> &halfGrid() {
  static const std::vector<std::pair<double, uint16_t>> grid = [] {
    std::vector<std::pair<double, uint16_t>> g;
    for (uint32_t h = 0; h < 0x7C00; ++h)
      g.emplace_back(halfValue(static_cast<uint16_t>(h)), h);
    g.emplace_back(65536.0, 0x7C00);
    return g;
  }();
  return grid;
}

uint16_t referenceFloatToHalf(float f) {
  uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  double a = std::fabs(double(f));
  if (std::isinf(a) || a >= 65536.0)
    return sign | 0x7C00;
  const auto &grid = halfGrid();
  auto hi = std::lower_bound(grid.begin(), grid.end(), std::make_pair(a, 0),
                             [](const auto &x, const auto &y) { return x.first < y.first; });
  if (hi->first == a)
    return sign | hi->second;
  auto lo = hi - 1;
  double dLo = a - lo->first, dHi = hi->first - a;
  if (dLo < dHi)
    return sign | lo->second;
  if (dHi < dLo)
    return sign | hi->second;
  return sign | ((lo->second & 1) ? hi->second : lo->second);
}

uint16_t referenceFloatToBf16(float f) {
  uint32_t bits = floatBits(f);
  uint32_t lo = bits & 0xFFFF0000u;
  double a = std::fabs(double(f));
  double vLo = std::fabs(double(floatFromBits(lo)));
  // Above the largest finite bf16 the next step up is 2^128 (infinity).
  double vHi = ((lo + 0x10000) & 0x7FFFFFFF) == 0x7F800000
                   ? std::ldexp(1.0, 128)
                   : std::fabs(double(floatFromBits(lo + 0x10000)));
  if (a == vLo)
    return static_cast<uint16_t>(lo >> 16);
  double dLo = a - vLo, dHi = vHi - a;
  bool up = dHi < dLo || (dHi == dLo && (lo & 0x10000));
  return static_cast<uint16_t>((up ? lo + 0x10000 : lo) >> 16);
}

TEST(HalfFloatTest, HalfToFloatIsExactForAllPatterns) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(static_cast<uint16_t>(h));
    double ref = halfValue(static_cast<uint16_t>(h));
    if (std::isnan(ref)) {
      ASSERT_TRUE(std::isnan(f)) << h;
      // Sign and payload survive.
      ASSERT_EQ(floatBits(f), ((h & 0x8000u) << 16) | 0x7F800000u | ((h & 0x3FFu) << 13)) << h;
    } else {
      ASSERT_EQ(double(f), ref) << h;
      ASSERT_EQ(std::signbit(f), (h & 0x8000) != 0) << h;
    }
  }
}

TEST(HalfFloatTest, Bf16ToFloatIsExactForAllPatterns) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    float f = bf16ToFloat(static_cast<uint16_t>(b));
    ASSERT_EQ(floatBits(f), b << 16);
  }
}

/// Random float bit patterns, plus the neighbourhoods of the interesting
/// boundaries of both formats.
std::vector<float> testFloats() {
  std::mt19937 rng(42);
  std::vector<float> fs;
  for (int i = 0; i < 400000; ++i)
    fs.push_back(floatFromBits(rng()));
  // Values spread evenly in exponent over the half range and its edges.
  std::uniform_real_distribution<double> e(-30.0, 17.0);
  for (int i = 0; i < 200000; ++i)
    fs.push_back(float(std::exp2(e(rng))) * ((i & 1) ? -1 : 1));
  for (double anchor : {65504.0, 65520.0, 65536.0, std::ldexp(1.0, -14), std::ldexp(1.0, -24),
                        std::ldexp(1.0, -25), 0.0, 3.3895313892515355e38}) {
    uint32_t base = floatBits(float(anchor));
    for (int d = -300; d <= 300; ++d)
      fs.push_back(floatFromBits(base + d));
  }
  return fs;
}

TEST(HalfFloatTest, FloatToHalfRoundsToNearestEven) {
  for (float f : testFloats()) {
    uint16_t h = floatToHalf(f);
    if (std::isnan(f)) {
      ASSERT_EQ(h & 0x7C00, 0x7C00);
      ASSERT_NE(h & 0x3FF, 0);
      ASSERT_EQ((h & 0x8000) != 0, std::signbit(f));
      continue;
    }
    ASSERT_EQ(h, referenceFloatToHalf(f)) << std::hexfloat << f;
  }
}

TEST(HalfFloatTest, FloatToBf16RoundsToNearestEven) {
  for (float f : testFloats()) {
    uint16_t b = floatToBf16(f);
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(bf16ToFloat(b)));
      ASSERT_EQ((b & 0x8000) != 0, std::signbit(f));
      continue;
    }
    ASSERT_EQ(b, referenceFloatToBf16(f)) << std::hexfloat << f;
  }
}

TEST(HalfFloatTest, NarrowingRoundTripsRepresentableValues) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(static_cast<uint16_t>(h));
    if (!std::isnan(f)) {
      ASSERT_EQ(floatToHalf(f), h);
    }
    float g = bf16ToFloat(static_cast<uint16_t>(h));
    if (!std::isnan(g)) {
      ASSERT_EQ(floatToBf16(g), h);
    }
  }
}

} // namespace
