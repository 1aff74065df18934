//===- NonFiniteTest.cpp - finding NaN and infinity in stored tensors ------===//
#include "runtime/io/HalfFloat.h"
#include "runtime/io/TensorView.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <random>
#include <vector>

using namespace ssmrt;

namespace {

/// |values| stored as |dtype| at byte offset 1 of the result (unaligned).
std::vector<uint8_t> store(const std::vector<float> &values, DType dtype) {
  size_t size = dtype == DType::F32 ? 4 : 2;
  std::vector<uint8_t> bytes(1 + values.size() * size);
  for (size_t i = 0; i < values.size(); ++i) {
    uint8_t *at = bytes.data() + 1 + i * size;
    if (dtype == DType::F32) {
      std::memcpy(at, &values[i], 4);
    } else {
      uint16_t h = dtype == DType::BF16 ? floatToBf16(values[i]) : floatToHalf(values[i]);
      std::memcpy(at, &h, 2);
    }
  }
  return bytes;
}

// Every dtype, lengths around the scan's block sizes, the bad value at the
// start, in the middle, at the end, and none; random finite values around it
// (large ones included, which F16 stores as infinity only above 65504).
TEST(NonFinite, FindsTheFirstNaNOrInfinityOfEveryDType) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> value(-60000.f, 60000.f);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16})
    for (int64_t n : {1, 7, 63, 64, 65, 1000, 4097}) {
      std::vector<float> values(n);
      for (float &v : values)
        v = value(rng);
      std::vector<uint8_t> clean = store(values, dtype);
      EXPECT_EQ(firstNonFinite(clean.data() + 1, dtype, n), -1) << n;
      for (float bad : {NAN, INFINITY, -INFINITY})
        for (int64_t at : {int64_t(0), n / 2, n - 1}) {
          std::vector<float> dirty = values;
          dirty[at] = bad;
          if (at + 1 < n)
            dirty[n - 1] = NAN; // a later one does not hide the first
          std::vector<uint8_t> bytes = store(dirty, dtype);
          EXPECT_EQ(firstNonFinite(bytes.data() + 1, dtype, n), at)
              << "dtype " << static_cast<int>(dtype) << ", n " << n << ", bad " << bad;
        }
    }
}

} // namespace
