//===- BatchGemm.h - x · Wᵀ for a batch of decode rows ----------*- C++ -*-===//
//
// A decode step of B sequences multiplies B token rows by each weight
// matrix. At 5-16 rows the product is neither the matrix-vector product of
// SmallGemm (one weight row at a time reloads every x row per FMA: bound by
// loads) nor a GEMM that pays for packing: OpenBLAS's sgemm packs both
// operands on every call (about 45 GFLOP/s a core at 8 rows) and oneDNN's
// matmul repacks the weights from their row-major layout on every call
// (35 GFLOP/s on the logits' 50k rows). This kernel keeps 8 x rows × 3
// weight rows of accumulators in AVX-512 registers: each 16-wide step loads
// 3 weight vectors and 8 x vectors (from L1/L2) for 24 FMAs and prefetches
// the next 3 weight rows, reading every weight from memory once per call.
// mamba-130m decode at batch 8: 168 tok/s through oneDNN, 262 with this
// kernel; from 32 rows on oneDNN's packing pays off (about 10% ahead), so
// it takes those.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_BATCHGEMM_H
#define SSMC_RUNTIME_CPU_BATCHGEMM_H

#include <cstdint>

namespace ssmrt {

/// The most rows the runtime gives it (oneDNN takes more).
constexpr int64_t kBatchGemmRows = 16;

/// y[r, j] = Σ_i x[r, i] · w[j, i] for r < rows (any count), j < n, i < k;
/// rows of x are ldx floats apart, rows of y ldy. AVX-512 only: callers check
/// haveBatchGemm().
void batchGemmAvx512(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t n,
                     int64_t k, float *y, int64_t ldy);

/// The same with bf16 weights (the upper halves of f32 values), widened as
/// they are read.
void batchGemmBf16Avx512(const float *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t n,
                         int64_t k, float *y, int64_t ldy);

/// Whether these run here (AVX-512F/BW/VL, and $SSMC_CPU_PATH allows
/// "avx512").
bool haveBatchGemm();

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_BATCHGEMM_H
