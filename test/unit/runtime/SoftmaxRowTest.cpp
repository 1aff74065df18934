//===- SoftmaxRowTest.cpp - the softmax row helpers, every ISA variant ----===//
//
// Each implementation built in (AVX-512, AVX2, portable; one this CPU
// cannot run is skipped by name) against float64 on random rows (never
// zeros) of lengths 1 to 1000, not multiples of a vector: the maximum
// exactly, exp(s - m) (of the float difference) within 4e-7 relative per
// element where s - m >= -87
// (below, about 1e-38), the sum within 1e-6 relative; a NaN anywhere comes
// out as a NaN maximum and a NaN sum.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/SoftmaxRow.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace ssmrt;

namespace {

TEST(SoftmaxRow, EveryVariantAgainstFloat64) {
  std::mt19937_64 rng(5);
  for (const SoftmaxRowVariant &v : softmaxRowVariants()) {
    if (!v.supported) {
      std::printf("skipped: %s (this CPU lacks it)\n", v.name);
      continue;
    }
    for (int64_t n : {1, 3, 15, 16, 17, 31, 256, 1000}) {
      for (float spread : {1.0f, 30.0f, 120.0f}) {
        std::uniform_real_distribution<float> dist(-spread, 5.0f);
        std::vector<float> p(n);
        for (float &x : p)
          x = dist(rng);
        float want = *std::max_element(p.begin(), p.end());
        float m = v.fns.max(p.data(), n);
        EXPECT_EQ(m, want) << v.name << ", n " << n;
        std::vector<float> in = p;
        float sum = v.fns.expSum(p.data(), n, m);
        double wantSum = 0, worst = 0;
        for (int64_t j = 0; j < n; ++j) {
          // Of the float difference, as the contract says.
          float d = in[j] - m;
          double e = std::exp(double(d));
          wantSum += e;
          if (d >= -87.0f)
            worst = std::max(worst, std::abs(p[j] - e) / e);
          else
            EXPECT_LT(p[j], 2e-38f) << v.name;
        }
        EXPECT_LE(worst, 4e-7) << v.name << ", n " << n << ", spread " << spread;
        EXPECT_LE(std::abs(sum - wantSum) / wantSum, 1e-6) << v.name << ", n " << n;
      }
      std::vector<float> withNaN(n, 0.5f);
      withNaN[n / 2] = NAN;
      EXPECT_TRUE(std::isnan(v.fns.max(withNaN.data(), n))) << v.name << ", n " << n;
      EXPECT_TRUE(std::isnan(v.fns.expSum(withNaN.data(), n, 0.5f))) << v.name << ", n " << n;
    }
  }
}

} // namespace
