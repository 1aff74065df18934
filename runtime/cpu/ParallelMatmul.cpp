//===- ParallelMatmul.cpp - x·Wᵀ over the thread pool ---------------------===//
#include "runtime/cpu/ParallelMatmul.h"
#include "runtime/cpu/BatchGemm.h"
#include "runtime/cpu/Blas.h"
#include "runtime/cpu/OneDnnGemm.h"
#include "runtime/cpu/SmallGemm.h"

#include "runtime/io/HalfFloat.h"

#include <algorithm>
#include <atomic>
#include <vector>

namespace ssmrt {

namespace {

void addBias(const float *bias, int64_t rows, int64_t n0, int64_t n1, float *y, int64_t ldy) {
  if (bias)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = n0; c < n1; ++c)
        y[r * ldy + c] += bias[c];
}

} // namespace

void parallelMatmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                    const float *weight, int64_t out, int64_t in, const float *bias, float *y,
                    int64_t ldy) {
  const int64_t grain = 16;
  static const SmallGemmFn small = smallGemm();
  const bool oneDnn = haveOneDnnF32Gemm(), batch = haveBatchGemm();
  pool.parallelFor((out + grain - 1) / grain, [&](int64_t begin, int64_t end) {
    int64_t n0 = begin * grain, n1 = std::min(out, end * grain);
    if (rows <= kSmallGemmRows)
      small(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
    else if (batch && rows <= kBatchGemmRows)
      batchGemmAvx512(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
    else if (!oneDnn || !gemmF32XWt(x, ldx, rows, weight + n0 * in, in, n1 - n0, in, y + n0, ldy))
      gemmXWt(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
    addBias(bias, rows, n0, n1, y, ldy);
  });
}

namespace {

/// The bf16 products (OneDnnGemm.h) for many rows: x rounded to bf16 once,
/// then each thread's output features in blocks of 256 weight rows, whose
/// bf16 form |bf16Rows(b0, n, scratch)| returns (the weights themselves, or
/// |scratch| filled). False when oneDNN refused, y then unspecified.
template <typename Bf16Rows>
bool bf16Matmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows, int64_t out,
                int64_t in, const float *bias, float *y, int64_t ldy, const Bf16Rows &bf16Rows) {
  const int64_t grain = 16, block = 256;
  // The caller's buffer; the threads below reach it through |xb| (a
  // thread_local named in a lambda would be each thread's own).
  thread_local std::vector<uint16_t> rounded;
  std::vector<uint16_t> &xb = rounded;
  xb.resize(static_cast<size_t>(rows * in));
  pool.parallelFor(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r)
      roundToBf16(x + r * ldx, in, xb.data() + r * in);
  });
  std::atomic<bool> refused{false};
  pool.parallelFor((out + grain - 1) / grain, [&](int64_t begin, int64_t end) {
    int64_t n0 = begin * grain, n1 = std::min(out, end * grain);
    thread_local std::vector<uint16_t> scratch;
    scratch.resize(static_cast<size_t>(block * in));
    for (int64_t b0 = n0; b0 < n1; b0 += block) {
      int64_t n = std::min(block, n1 - b0);
      if (!gemmBf16XWt(xb.data(), in, rows, bf16Rows(b0, n, scratch.data()), in, n, in, y + b0,
                       ldy)) {
        refused = true;
        return;
      }
    }
    addBias(bias, rows, n0, n1, y, ldy);
  });
  return !refused;
}

/// Splits the output features across |pool|: |small(n0, n1)| for up to
/// |smallRows| rows; for more, the bf16 products where they run, else
/// |widen(b0, n, dst)| writes weight rows b0..b0+n as f32 into per-thread
/// scratch, blocks of 64, each then a BLAS product.
template <typename Small, typename Widen, typename Bf16Rows>
void blockedMatmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows, int64_t out,
                   int64_t in, const float *bias, float *y, int64_t ldy, int64_t smallRows,
                   const Small &small, const Widen &widen, const Bf16Rows &bf16Rows) {
  if (rows > smallRows && useBf16Gemm() &&
      bf16Matmul(pool, x, ldx, rows, out, in, bias, y, ldy, bf16Rows))
    return;
  // Blocks of 256 weight rows: a BLAS call packs all of x again, so fewer,
  // larger blocks (64 ran at a fifth of the f32 rate on a Xeon here).
  const int64_t grain = 16, block = 256;
  const bool oneDnn = haveOneDnnF32Gemm();
  pool.parallelFor((out + grain - 1) / grain, [&](int64_t begin, int64_t end) {
    int64_t n0 = begin * grain, n1 = std::min(out, end * grain);
    if (rows <= smallRows) {
      small(n0, n1);
    } else {
      thread_local std::vector<float> widened;
      widened.resize(static_cast<size_t>(block * in));
      for (int64_t b0 = n0; b0 < n1; b0 += block) {
        int64_t n = std::min(block, n1 - b0);
        widen(b0, n, widened.data());
        if (!oneDnn || !gemmF32XWt(x, ldx, rows, widened.data(), in, n, in, y + b0, ldy))
          gemmXWt(x, ldx, rows, widened.data(), n, in, y + b0, ldy);
      }
    }
    addBias(bias, rows, n0, n1, y, ldy);
  });
}

} // namespace

void parallelMatmulBf16(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                        const uint16_t *weight, int64_t out, int64_t in, const float *bias,
                        float *y, int64_t ldy) {
  static const SmallGemmBf16Fn small = smallGemmVariant().bf16;
  // A decode batch reads the bf16 weights once through BatchGemm; the bf16
  // products (OneDnnGemm) would repack them on every call.
  const bool batch = haveBatchGemm();
  blockedMatmul(
      pool, x, ldx, rows, out, in, bias, y, ldy, batch ? kBatchGemmRows : kSmallGemmRows,
      [&](int64_t n0, int64_t n1) {
        if (rows <= kSmallGemmRows)
          small(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
        else
          batchGemmBf16Avx512(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
      },
      [&](int64_t b0, int64_t n, float *dst) {
        const uint16_t *src = weight + b0 * in;
        for (int64_t i = 0; i < n * in; ++i)
          dst[i] = bf16ToFloat(src[i]);
      },
      [&](int64_t b0, int64_t, uint16_t *) { return weight + b0 * in; });
}

void parallelMatmulF16(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                       const uint16_t *weight, int64_t out, int64_t in, const float *bias, float *y,
                       int64_t ldy) {
  static const SmallGemmBf16Fn small = smallGemmVariant().f16;
  blockedMatmul(
      pool, x, ldx, rows, out, in, bias, y, ldy, kSmallGemmRows,
      [&](int64_t n0, int64_t n1) {
        small(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
      },
      [&](int64_t b0, int64_t n, float *dst) { widenF16(weight + b0 * in, n * in, dst); },
      [&](int64_t b0, int64_t n, uint16_t *dst) {
        f16ToBf16(weight + b0 * in, n * in, dst);
        return static_cast<const uint16_t *>(dst);
      });
}

void parallelMatmulInt8(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                        const int8_t *q, const float *scales, int64_t out, int64_t in,
                        const float *bias, float *y, int64_t ldy) {
  static const SmallGemmInt8Fn small = smallGemmVariant().int8;
  static_assert(kInt8Group % 16 == 0, "int8RowTo* take 16 values of one group at a time");
  const int64_t groups = (in + kInt8Group - 1) / kInt8Group;
  const bool avx512 = haveOneDnnF32Gemm();
  blockedMatmul(
      pool, x, ldx, rows, out, in, bias, y, ldy, kSmallGemmRows,
      [&](int64_t n0, int64_t n1) {
        small(x, ldx, rows, q + n0 * in, scales + n0 * groups, n1 - n0, in, y + n0, ldy);
      },
      [&](int64_t b0, int64_t n, float *dst) {
        if (avx512) {
          for (int64_t r = 0; r < n; ++r)
            int8RowToF32(q + (b0 + r) * in, scales + (b0 + r) * groups, in, kInt8Group,
                         dst + r * in);
          return;
        }
        // Group by group, so that the inner loop vectorizes.
        for (int64_t r = 0; r < n; ++r)
          for (int64_t g = 0; g < groups; ++g) {
            const int8_t *src = q + (b0 + r) * in + g * kInt8Group;
            float *d = dst + r * in + g * kInt8Group, s = scales[(b0 + r) * groups + g];
            for (int64_t i = 0, e = std::min(kInt8Group, in - g * kInt8Group); i < e; ++i)
              d[i] = src[i] * s;
          }
      },
      [&](int64_t b0, int64_t n, uint16_t *dst) {
        for (int64_t r = 0; r < n; ++r)
          int8RowToBf16(q + (b0 + r) * in, scales + (b0 + r) * groups, in, kInt8Group,
                        dst + r * in);
        return static_cast<const uint16_t *>(dst);
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
