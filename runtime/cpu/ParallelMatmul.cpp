//===- ParallelMatmul.cpp - x·Wᵀ over the thread pool ---------------------===//
#include "runtime/cpu/ParallelMatmul.h"
#include "runtime/cpu/Blas.h"
#include "runtime/cpu/SmallGemm.h"

#include <algorithm>

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

} // namespace ssmrt
