//===- SmallGemmTest.cpp - the decode matrix product, every ISA variant ---===//
//
// Each implementation built in (AVX-512 with and without VNNI, AVX2,
// portable), with f32, bf16, f16 and int8 weights (against the product of the same
// bf16 values, or, for int8, of weights and x both quantized in groups of 32
// and dequantized, which is what the kernel computes), against float64 on
// random inputs: 1 to 4 rows of x with a row stride wider than k, output
// counts and widths that are not multiples of a vector (1, 5, 17, 771, ...).
// A variant this CPU cannot run is skipped by name (AVX-512 on Zen 3); the
// AVX2 and portable ones run everywhere. Tolerance: max|got - ref| /
// max|ref| <= 1e-5 per case; NaN never passes.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/SmallGemm.h"
#include "runtime/io/HalfFloat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

using namespace ssmrt;

namespace {

double maxRelativeError(const SmallGemmVariant &variant, int64_t rows, int64_t n, int64_t k,
                        uint64_t seed, const char *dtype = "f32") {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  int64_t ldx = k + 3, ldy = n + 2;
  std::vector<float> x(rows * ldx), w(n * k), y(rows * ldy, NAN);
  for (float &v : x)
    v = dist(rng);
  for (float &v : w)
    v = dist(rng);
  std::string dt = dtype;
  if (dt == "int8") {
    // Weights and x both quantized in groups of kInt8Group along k
    // (symmetric, scale = max|v| / 127): the reference is the product of
    // the dequantized values.
    int64_t groups = (k + kInt8Group - 1) / kInt8Group;
    auto quantize = [&](std::vector<float> &v, int64_t ld, int64_t rowsOf, std::vector<int8_t> &q,
                        std::vector<float> &scales) {
      q.assign(rowsOf * k, 0);
      scales.assign(rowsOf * groups, 0.0f);
      for (int64_t j = 0; j < rowsOf; ++j)
        for (int64_t g = 0; g < groups; ++g) {
          int64_t i0 = g * kInt8Group, i1 = std::min(k, i0 + kInt8Group);
          float top = 0;
          for (int64_t i = i0; i < i1; ++i)
            top = std::max(top, std::abs(v[j * ld + i]));
          float scale = scales[j * groups + g] = top / 127.0f;
          for (int64_t i = i0; i < i1; ++i) {
            q[j * k + i] = static_cast<int8_t>(std::lrint(v[j * ld + i] * (127.0f / top)));
            v[j * ld + i] = q[j * k + i] * scale;
          }
        }
    };
    std::vector<int8_t> q, xq;
    std::vector<float> scales, xs;
    std::vector<float> xIn = x;
    quantize(w, k, n, q, scales);
    variant.int8(xIn.data(), ldx, rows, q.data(), scales.data(), n, k, y.data(), ldy);
    quantize(x, ldx, rows, xq, xs); // the reference's x: as the kernel sees it
  } else if (dt == "bf16") {
    // The product of the bf16 weights, exactly as the kernel sees them.
    std::vector<uint16_t> half(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      half[i] = floatToBf16(w[i]);
      w[i] = bf16ToFloat(half[i]);
    }
    variant.bf16(x.data(), ldx, rows, half.data(), n, k, y.data(), ldy);
  } else if (dt == "f16") {
    std::vector<uint16_t> half(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      half[i] = floatToHalf(w[i]);
      w[i] = halfToFloat(half[i]);
    }
    variant.f16(x.data(), ldx, rows, half.data(), n, k, y.data(), ldy);
  } else {
    variant.fn(x.data(), ldx, rows, w.data(), n, k, y.data(), ldy);
  }
  double err = 0, scale = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t i = 0; i < k; ++i)
        want += double(x[r * ldx + i]) * w[j * k + i];
      double got = y[r * ldy + j];
      if (std::isnan(got))
        return INFINITY;
      err = std::max(err, std::abs(got - want));
      scale = std::max(scale, std::abs(want));
    }
  return err / scale;
}

TEST(SmallGemm, EveryVariantAgainstFloat64) {
  int run = 0;
  for (const SmallGemmVariant &variant : smallGemmVariants()) {
    if (!variant.supported) {
      std::cout << "skipping the " << variant.name << " variant: this CPU lacks it\n";
      continue;
    }
    SCOPED_TRACE(variant.name);
    for (int64_t rows = 1; rows <= kSmallGemmRows; ++rows)
      for (int64_t n : {1, 5, 16, 37})
        for (int64_t k : {1, 5, 16, 17, 33, 768, 771})
          for (const char *dtype : {"f32", "bf16", "f16", "int8"})
            EXPECT_LE(maxRelativeError(variant, rows, n, k, rows * 1000 + n * 10 + k, dtype), 1e-5)
                << "rows " << rows << ", n " << n << ", k " << k << ", " << dtype;
    for (const char *dtype : {"f32", "bf16", "f16", "int8"})
      EXPECT_LE(maxRelativeError(variant, 1, 3352, 768, 7, dtype), 1e-5)
          << "mamba2-130m in_proj, " << dtype;
    ++run;
  }
  EXPECT_GE(run, 1);
}

// Every f16 bit pattern is widened exactly by each variant's product (its
// vector path: the weight in the first of 32 columns, x = e_0) and by
// widenF16: zeros, subnormals, normals, infinities; NaN stays NaN.
TEST(SmallGemm, F16WeightsWidenExactly) {
  const int64_t n = 65536, k = 32;
  std::vector<uint16_t> w(n * k, 0);
  for (int64_t j = 0; j < n; ++j)
    w[j * k] = static_cast<uint16_t>(j);
  std::vector<float> x(k, 0.0f), y(n);
  x[0] = 1.0f;
  auto expectExact = [](float got, uint16_t bits, const char *what) {
    float want = halfToFloat(bits);
    if (std::isnan(want))
      EXPECT_TRUE(std::isnan(got)) << what << ", bits " << bits;
    else
      EXPECT_EQ(got, want) << what << ", bits " << bits;
  };
  for (const SmallGemmVariant &variant : smallGemmVariants()) {
    if (!variant.supported)
      continue;
    variant.f16(x.data(), k, 1, w.data(), n, k, y.data(), n);
    for (int64_t j = 0; j < n; ++j)
      expectExact(y[j], static_cast<uint16_t>(j), variant.name);
  }
  std::vector<uint16_t> all(n);
  for (int64_t j = 0; j < n; ++j)
    all[j] = static_cast<uint16_t>(j);
  std::vector<float> widened(n);
  widenF16(all.data(), n, widened.data());
  for (int64_t j = 0; j < n; ++j)
    expectExact(widened[j], static_cast<uint16_t>(j), "widenF16");
}

TEST(SmallGemm, ChoosesTheWidestSupportedVariant) {
  for (const SmallGemmVariant &variant : smallGemmVariants())
    if (variant.supported) {
      EXPECT_EQ(smallGemm(), variant.fn) << variant.name;
      break;
    }
}

} // namespace
