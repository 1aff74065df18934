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

namespace {

/// Splits the output features across |pool|: |small(n0, n1)| for a few
/// rows; for many, |widen(b0, n, dst)| writes weight rows b0..b0+n as f32
/// into per-thread scratch, blocks of 64, each then a BLAS product.
template <typename Small, typename Widen>
void blockedMatmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows, int64_t out,
                   int64_t in, const float *bias, float *y, int64_t ldy, const Small &small,
                   const Widen &widen) {
  const int64_t grain = 16, block = 64;
  pool.parallelFor((out + grain - 1) / grain, [&](int64_t begin, int64_t end) {
    int64_t n0 = begin * grain, n1 = std::min(out, end * grain);
    if (rows <= kSmallGemmRows) {
      small(n0, n1);
    } else {
      thread_local std::vector<float> widened;
      widened.resize(static_cast<size_t>(block * in));
      for (int64_t b0 = n0; b0 < n1; b0 += block) {
        int64_t n = std::min(block, n1 - b0);
        widen(b0, n, widened.data());
        gemmXWt(x, ldx, rows, widened.data(), n, in, y + b0, ldy);
      }
    }
    if (bias)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = n0; c < n1; ++c)
          y[r * ldy + c] += bias[c];
  });
}

} // namespace

void parallelMatmulBf16(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                        const uint16_t *weight, int64_t out, int64_t in, const float *bias,
                        float *y, int64_t ldy) {
  static const SmallGemmBf16Fn small = smallGemmVariant().bf16;
  blockedMatmul(
      pool, x, ldx, rows, out, in, bias, y, ldy,
      [&](int64_t n0, int64_t n1) {
        small(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
      },
      [&](int64_t b0, int64_t n, float *dst) {
        const uint16_t *src = weight + b0 * in;
        for (int64_t i = 0; i < n * in; ++i)
          dst[i] = bf16ToFloat(src[i]);
      });
}

void parallelMatmulF16(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                       const uint16_t *weight, int64_t out, int64_t in, const float *bias, float *y,
                       int64_t ldy) {
  static const SmallGemmBf16Fn small = smallGemmVariant().f16;
  blockedMatmul(
      pool, x, ldx, rows, out, in, bias, y, ldy,
      [&](int64_t n0, int64_t n1) {
        small(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
      },
      [&](int64_t b0, int64_t n, float *dst) { widenF16(weight + b0 * in, n * in, dst); });
}

void parallelMatmulInt8(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                        const int8_t *q, const float *scales, int64_t out, int64_t in,
                        const float *bias, float *y, int64_t ldy) {
  static const SmallGemmInt8Fn small = smallGemmVariant().int8;
  const int64_t groups = (in + kInt8Group - 1) / kInt8Group;
  blockedMatmul(
      pool, x, ldx, rows, out, in, bias, y, ldy,
      [&](int64_t n0, int64_t n1) {
        small(x, ldx, rows, q + n0 * in, scales + n0 * groups, n1 - n0, in, y + n0, ldy);
      },
      [&](int64_t b0, int64_t n, float *dst) {
        for (int64_t r = 0; r < n; ++r)
          for (int64_t i = 0; i < in; ++i)
            dst[r * in + i] = q[(b0 + r) * in + i] * scales[(b0 + r) * groups + i / kInt8Group];
      });
}

void parallelMatmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                    const WeightMatrix &w, const float *bias, float *y, int64_t ldy) {
  if (w.bf16)
    parallelMatmulBf16(pool, x, ldx, rows, w.bf16, w.out, w.in, bias, y, ldy);
  else if (w.f16)
    parallelMatmulF16(pool, x, ldx, rows, w.f16, w.out, w.in, bias, y, ldy);
  else if (w.q)
    parallelMatmulInt8(pool, x, ldx, rows, w.q, w.scales, w.out, w.in, bias, y, ldy);
  else
    parallelMatmul(pool, x, ldx, rows, w.f32, w.out, w.in, bias, y, ldy);
}

} // namespace ssmrt
