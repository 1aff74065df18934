//===- ParallelMatmul.h - x·Wᵀ over the thread pool -------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CPU_PARALLELMATMUL_H
#define SSMC_RUNTIME_CPU_PARALLELMATMUL_H

#include "runtime/cpu/ThreadPool.h"

#include <cstdint>

namespace ssmrt {

/// y[rows, out] (row stride ldy) = x[rows, in] (row stride ldx) · weight[out,
/// in]ᵀ (+ bias[out]), the output features split across |pool|: the
/// bandwidth-bound SmallGemm for a few rows (decode), BatchGemm for a
/// decode batch of up to 16 (AVX-512), else oneDNN's f32
/// matmul where it runs (OneDnnGemm.h), else BLAS, single-threaded within
/// each thread's part.
void parallelMatmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                    const float *weight, int64_t out, int64_t in, const float *bias, float *y,
                    int64_t ldy);

/// The same with bf16 weights: SmallGemm's bf16 form for a few rows; for
/// many, blocks of 64 weight rows widened to f32 scratch, then BLAS (the
/// widening costs 1/rows of the product).
void parallelMatmulBf16(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                        const uint16_t *weight, int64_t out, int64_t in, const float *bias,
                        float *y, int64_t ldy);

/// The same with IEEE f16 weights.
void parallelMatmulF16(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                       const uint16_t *weight, int64_t out, int64_t in, const float *bias, float *y,
                       int64_t ldy);

/// The same with int8 weights and one scale per kInt8Group values of a row
/// (SmallGemm.h): SmallGemm's int8 form for a few rows; for many, blocks of
/// 64 rows dequantized to f32 scratch, then BLAS.
void parallelMatmulInt8(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                        const int8_t *q, const float *scales, int64_t out, int64_t in,
                        const float *bias, float *y, int64_t ldy);

/// A weight matrix [out, in] in the dtype products read it in: f32, bf16,
/// or int8 with one scale per kInt8Group values of a row (exactly one of
/// f32, bf16 and q is set).
struct WeightMatrix {
  const float *f32 = nullptr;
  const uint16_t *bf16 = nullptr, *f16 = nullptr;
  const int8_t *q = nullptr;
  const float *scales = nullptr;
  int64_t out = 0, in = 0;
};

/// y = x · wᵀ (+ bias) through the function above for w's dtype.
void parallelMatmul(ThreadPool &pool, const float *x, int64_t ldx, int64_t rows,
                    const WeightMatrix &w, const float *bias, float *y, int64_t ldy);

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_PARALLELMATMUL_H
