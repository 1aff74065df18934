//===- MatmulPathsTest.cpp - x·Wᵀ for batches and prefills, every path ---===//
//
// parallelMatmul with more rows than SmallGemm takes (a decode batch or a
// prefill), with f32, bf16, f16 and int8 weights, on two threads, against
// float64 of the same weight values: 5 to 129 rows with row strides wider
// than the rows, output counts and widths that are not multiples of a
// vector, of BatchGemm's 8 x 3 tiles or of the 256-row blocks (1, 17, 300,
// 771), and a bias. Three paths:
// - BLAS, 16-bit and int8 weights widened to f32 ($SSMC_CPU_PATH=avx2,
//   runs everywhere): max|got - ref| <= 1e-5 · max|ref|;
// - f32 and bf16 weights through BatchGemm (up to 16 rows), f32 ones
//   through oneDNN's f32 matmul beyond ($SSMC_CPU_PATH=avx512vnni; where
//   the CPU has AVX-512, else skipped by name): the same bound;
// - bf16 products through oneDNN (only where the CPU has AVX512-BF16, else
//   skipped by name; bf16 weights up to 16 rows stay with BatchGemm and
//   the first bound): x is rounded to bf16, and f16 or int8 weights too, so
//   each element must be within 2.01 · 2^-8 · Σ|x||w| (two roundings of
//   relative size 2^-8) + 1e-5 · max|ref| of the float64 product; and it
//   must differ from the f32 product somewhere (x was rounded: that path
//   ran). NaN never passes.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/BatchGemm.h"
#include "runtime/cpu/OneDnnGemm.h"
#include "runtime/cpu/ParallelMatmul.h"
#include "runtime/cpu/SmallGemm.h"
#include "runtime/io/HalfFloat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

using namespace ssmrt;

namespace {

struct Case {
  int64_t rows, n, k;
  std::string dtype;
};

/// Weights of |c.dtype| from random values; |dequantized| gets what the
/// weights hold, as floats.
struct Weights {
  std::vector<float> f32, dequantized, scales;
  std::vector<uint16_t> half;
  std::vector<int8_t> q;
  WeightMatrix matrix;
};

Weights makeWeights(const Case &c, std::mt19937_64 &rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Weights w;
  w.f32.resize(c.n * c.k);
  for (float &v : w.f32)
    v = dist(rng);
  w.matrix.out = c.n;
  w.matrix.in = c.k;
  w.dequantized = w.f32;
  if (c.dtype == "bf16" || c.dtype == "f16") {
    bool bf16 = c.dtype == "bf16";
    w.half.resize(w.f32.size());
    for (size_t i = 0; i < w.f32.size(); ++i) {
      w.half[i] = bf16 ? floatToBf16(w.f32[i]) : floatToHalf(w.f32[i]);
      w.dequantized[i] = bf16 ? bf16ToFloat(w.half[i]) : halfToFloat(w.half[i]);
    }
    (bf16 ? w.matrix.bf16 : w.matrix.f16) = w.half.data();
  } else if (c.dtype == "int8") {
    int64_t groups = (c.k + kInt8Group - 1) / kInt8Group;
    w.q.resize(w.f32.size());
    w.scales.resize(c.n * groups);
    for (int64_t j = 0; j < c.n; ++j)
      for (int64_t g = 0; g < groups; ++g) {
        int64_t i0 = g * kInt8Group, i1 = std::min(c.k, i0 + kInt8Group);
        float top = 0;
        for (int64_t i = i0; i < i1; ++i)
          top = std::max(top, std::abs(w.f32[j * c.k + i]));
        float scale = w.scales[j * groups + g] = top / 127.0f;
        for (int64_t i = i0; i < i1; ++i) {
          w.q[j * c.k + i] = static_cast<int8_t>(std::lrint(w.f32[j * c.k + i] / scale));
          w.dequantized[j * c.k + i] = w.q[j * c.k + i] * scale;
        }
      }
    w.matrix.q = w.q.data();
    w.matrix.scales = w.scales.data();
  } else {
    w.matrix.f32 = w.f32.data();
  }
  return w;
}

/// Checks parallelMatmul on |c| against float64; |bf16Path| says which
/// bound applies (see the top of the file).
void check(ThreadPool &pool, const Case &c, bool bf16Path, uint64_t seed) {
  SCOPED_TRACE(c.dtype + ", rows " + std::to_string(c.rows) + ", n " + std::to_string(c.n) +
               ", k " + std::to_string(c.k));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  int64_t ldx = c.k + 5, ldy = c.n + 3;
  std::vector<float> x(c.rows * ldx), bias(c.n), y(c.rows * ldy, NAN);
  for (float &v : x)
    v = dist(rng);
  for (float &v : bias)
    v = dist(rng);
  Weights w = makeWeights(c, rng);
  parallelMatmul(pool, x.data(), ldx, c.rows, w.matrix, bias.data(), y.data(), ldy);
  double top = 0;
  std::vector<double> want(c.rows * c.n), magnitude(c.rows * c.n);
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t j = 0; j < c.n; ++j) {
      double sum = bias[j], mag = 0;
      for (int64_t i = 0; i < c.k; ++i) {
        double term = double(x[r * ldx + i]) * w.dequantized[j * c.k + i];
        sum += term;
        mag += std::abs(term);
      }
      want[r * c.n + j] = sum;
      magnitude[r * c.n + j] = mag;
      top = std::max(top, std::abs(sum));
    }
  int bad = 0;
  double maxError = 0;
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t j = 0; j < c.n; ++j) {
      double got = y[r * ldy + j], error = std::abs(got - want[r * c.n + j]);
      double bound =
          1e-5 * top + (bf16Path ? 2.01 * std::ldexp(1.0, -8) * magnitude[r * c.n + j] : 0.0);
      maxError = std::max(maxError, error);
      if (!(error <= bound) && bad++ < 3) {
        ADD_FAILURE() << "y[" << r << ", " << j << "] = " << got << ", want " << want[r * c.n + j]
                      << " (bound " << bound << ")";
      }
    }
  EXPECT_EQ(bad, 0);
  if (bf16Path && c.k > 1) {
    EXPECT_GT(maxError, 1e-6 * top) << "the product was exact: x was not rounded to bf16";
  }
}

const std::vector<Case> &cases() {
  static const std::vector<Case> all = [] {
    std::vector<Case> v;
    for (const char *dtype : {"f32", "bf16", "f16", "int8"}) {
      for (int64_t rows : {5, 7, 8, 13, 16, 17, 129})
        for (int64_t n : {1, 17, 300})
          for (int64_t k : {1, 17, 771})
            v.push_back({rows, n, k, dtype});
      v.push_back({64, 3352, 768, dtype}); // mamba2-130m's in_proj
    }
    return v;
  }();
  return all;
}

/// Sets $SSMC_CPU_PATH for a scope. The decode products' variant is chosen
/// once per process, at its first use: that happens here, uncapped, so that
/// later tests of this binary see the variant a process starts with.
struct CpuPathScope {
  explicit CpuPathScope(const char *path) {
    (void)smallGemmVariant();
    setenv("SSMC_CPU_PATH", path, 1);
  }
  ~CpuPathScope() { unsetenv("SSMC_CPU_PATH"); }
};

TEST(MatmulPaths, BlasAgainstFloat64) {
  CpuPathScope scope("avx2");
  ASSERT_FALSE(haveBf16Gemm() || haveOneDnnF32Gemm() || haveBatchGemm());
  ThreadPool pool(2);
  uint64_t seed = 1;
  for (const Case &c : cases())
    check(pool, c, false, seed++);
}

TEST(MatmulPaths, BatchGemmAndOneDnnF32AgainstFloat64) {
  CpuPathScope scope("avx512vnni");
  if (!haveOneDnnF32Gemm() || !haveBatchGemm())
    GTEST_SKIP() << "no BatchGemm or oneDNN f32 products here (no AVX-512 or no oneDNN)";
  ASSERT_FALSE(haveBf16Gemm());
  ThreadPool pool(2);
  uint64_t seed = 1;
  for (const Case &c : cases())
    check(pool, c, false, seed++);
}

TEST(MatmulPaths, Bf16ProductsAgainstFloat64) {
  // Named, the path takes them on CPUs where they run but would not pay.
  CpuPathScope scope("avx512bf16");
  if (!haveBf16Gemm())
    GTEST_SKIP() << "no bf16 products here (oneDNN missing or the CPU lacks AVX512-BF16)";
  ASSERT_TRUE(useBf16Gemm());
  ThreadPool pool(2);
  uint64_t seed = 1;
  for (const Case &c : cases()) {
    // bf16 weights in a decode batch go through BatchGemm, with x in f32.
    bool batch = c.dtype == "bf16" && haveBatchGemm() && c.rows <= kBatchGemmRows;
    check(pool, c, c.dtype != "f32" && !batch, seed++);
  }
}

// The conversions feeding the bf16 products round as the scalar
// floatToBf16 does: every f16 bit pattern, and int8 rows of odd lengths
// with their group scales (NaN stays NaN).
TEST(MatmulPaths, Bf16ConversionsRoundToNearestEven) {
  if (!haveBf16Gemm())
    GTEST_SKIP() << "no bf16 products here (oneDNN missing or the CPU lacks AVX512-BF16)";
  std::vector<uint16_t> halves(65536), got(65536);
  for (uint32_t h = 0; h < 65536; ++h)
    halves[h] = static_cast<uint16_t>(h);
  f16ToBf16(halves.data(), 65536 - 7, got.data()); // a masked tail too
  int bad = 0;
  for (uint32_t h = 0; h < 65536 - 7; ++h) {
    float f = halfToFloat(halves[h]);
    bool same = std::isnan(f) ? std::isnan(bf16ToFloat(got[h])) : got[h] == floatToBf16(f);
    bad += !same;
  }
  EXPECT_EQ(bad, 0);
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> value(-127, 127);
  std::uniform_real_distribution<float> scale(1e-3f, 2.0f);
  for (int64_t k : {1, 15, 16, 33, 77, 768}) {
    std::vector<int8_t> q(k);
    std::vector<float> scales((k + kInt8Group - 1) / kInt8Group);
    for (int8_t &v : q)
      v = static_cast<int8_t>(value(rng));
    for (float &v : scales)
      v = scale(rng);
    std::vector<uint16_t> row(k);
    int8RowToBf16(q.data(), scales.data(), k, kInt8Group, row.data());
    for (int64_t i = 0; i < k; ++i)
      EXPECT_EQ(row[i], floatToBf16(q[i] * scales[i / kInt8Group])) << "k " << k << ", " << i;
  }
}

// The widening that feeds f32 products with int8 weights where the bf16
// products are not taken: exactly q · scale, rows of odd lengths.
TEST(MatmulPaths, Int8RowsWidenExactly) {
  if (!haveOneDnnF32Gemm())
    GTEST_SKIP() << "no AVX-512 widening here (oneDNN missing or the CPU lacks AVX-512)";
  std::mt19937_64 rng(6);
  std::uniform_int_distribution<int> value(-127, 127);
  std::uniform_real_distribution<float> scale(1e-3f, 2.0f);
  for (int64_t k : {1, 15, 16, 33, 77, 768}) {
    std::vector<int8_t> q(k);
    std::vector<float> scales((k + kInt8Group - 1) / kInt8Group), row(k + 1, -7.0f);
    for (int8_t &v : q)
      v = static_cast<int8_t>(value(rng));
    for (float &v : scales)
      v = scale(rng);
    int8RowToF32(q.data(), scales.data(), k, kInt8Group, row.data());
    for (int64_t i = 0; i < k; ++i)
      EXPECT_EQ(row[i], q[i] * scales[i / kInt8Group]) << "k " << k << ", " << i;
    EXPECT_EQ(row[k], -7.0f) << "k " << k << ": written past the row";
  }
}

} // namespace
