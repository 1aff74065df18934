//===- ParallelMatmul.cpp - x·Wᵀ over the thread pool ---------------------===//
#include "runtime/cpu/ParallelMatmul.h"
#include "runtime/cpu/Blas.h"
#include "runtime/cpu/SmallGemm.h"

#include "runtime/io/HalfFloat.h"

#include <algorithm>
#include <vector>

namespace ssmrt {

void parallelMatmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                    const float *weight, int64_t out, int64_t in, const float *bias, float *y,
                    int64_t ldy) {
  const int64_t grain = 16;
  static const SmallGemmFn small = smallGemm();
  pool.parallelFor((out + grain - 1) / grain, [&](int64_t begin, int64_t end) {
    int64_t n0 = begin * grain, n1 = std::min(out, end * grain);
    if (rows <= kSmallGemmRows)
      small(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
    else
      gemmXWt(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
    if (bias)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = n0; c < n1; ++c)
          y[r * ldy + c] += bias[c];
  });
}

void parallelMatmulBf16(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                        const uint16_t *weight, int64_t out, int64_t in, const float *bias,
                        float *y, int64_t ldy) {
  const int64_t grain = 16, block = 64;
  static const SmallGemmBf16Fn small = smallGemmVariant().bf16;
  pool.parallelFor((out + grain - 1) / grain, [&](int64_t begin, int64_t end) {
    int64_t n0 = begin * grain, n1 = std::min(out, end * grain);
    if (rows <= kSmallGemmRows) {
      small(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
    } else {
      thread_local std::vector<float> widened;
      widened.resize(static_cast<size_t>(block * in));
      for (int64_t b0 = n0; b0 < n1; b0 += block) {
        int64_t n = std::min(block, n1 - b0);
        const uint16_t *src = weight + b0 * in;
        for (int64_t i = 0; i < n * in; ++i)
          widened[i] = bf16ToFloat(src[i]);
        gemmXWt(x, ldx, rows, widened.data(), n, in, y + b0, ldy);
      }
    }
    if (bias)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = n0; c < n1; ++c)
          y[r * ldy + c] += bias[c];
  });
}

} // namespace ssmrt
