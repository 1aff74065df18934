//===- OneDnnGemm.h - matrix products through oneDNN ------------*- C++ -*-===//
//
// Two products where oneDNN's matmul (brgemm kernels) beats what OpenBLAS
// does here:
// - bf16: a prefill with 16-bit or int8 weights is a product OpenBLAS can
//   only do in f32 (Debian's build has no sbgemm), after widening the
//   weights. CPUs with AVX512-BF16 (vdpbf16ps) multiply bf16 pairs at twice
//   the f32 FMA rate, so prefill rounds its activations to bf16 (as
//   llama.cpp rounds them to f16 for f16 weights) and multiplies them with
//   bf16 weights, accumulating in f32. They run where the CPU has
//   AVX512-BF16 and $SSMC_CPU_PATH allows "avx512bf16", and are taken where
//   they beat widening the weights for f32 products: AMX-BF16, or AMD's
//   cores (Zen 4 multiplies bf16 pairs at twice its f32 rate). Intel's
//   cores without AMX run vdpbf16ps at their f32 rate: on a Xeon here
//   mamba2-130m's bf16 prefill ran at 712 tok/s through them and 1054
//   widened. SSMC_CPU_PATH=avx512bf16 takes them wherever they run.
// - f32 with AVX-512: for a few rows (batched decode, 5 to 64 sequences)
//   OpenBLAS's sgemm spends most of its time packing (about 45 GFLOP/s a
//   core at 8 rows, oneDNN 60-70); for many rows the two are alike. Taken
//   when $SSMC_CPU_PATH allows "avx512" and the CPU has AVX-512.
// Without oneDNN in the build neither is taken: the callers use BLAS.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_ONEDNNGEMM_H
#define SSMC_RUNTIME_CPU_ONEDNNGEMM_H

#include <cstdint>

namespace ssmrt {

/// Whether bf16 products run here (oneDNN, AVX512-BF16, the CPU path).
bool haveBf16Gemm();
/// Whether prefill takes the bf16 products here (see above).
bool useBf16Gemm();
/// Whether f32 products go through oneDNN here (AVX-512, the CPU path).
bool haveOneDnnF32Gemm();

/// |n| floats rounded to bf16 (nearest even; NaN stays NaN). Needs
/// haveBf16Gemm().
void roundToBf16(const float *src, int64_t n, uint16_t *dst);

/// |n| IEEE f16 values rounded to bf16. Needs haveBf16Gemm().
void f16ToBf16(const uint16_t *src, int64_t n, uint16_t *dst);

/// One int8 weight row of |k| values, times the scale of each |group|
/// values, rounded to bf16. Needs haveBf16Gemm().
void int8RowToBf16(const int8_t *q, const float *scales, int64_t k, int64_t group, uint16_t *dst);

/// The same in f32, exactly q · scale. Needs haveOneDnnF32Gemm().
void int8RowToF32(const int8_t *q, const float *scales, int64_t k, int64_t group, float *dst);

/// y[rows, n] (row stride ldy) = x[rows, k] · w[n, k]ᵀ with x and w in bf16
/// (row strides ldx and ldw) and f32 accumulation, on the calling thread
/// only (callers split the work across their own threads). Needs
/// haveBf16Gemm(); false when oneDNN refused these sizes, y then untouched.
bool gemmBf16XWt(const uint16_t *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t ldw,
                 int64_t n, int64_t k, float *y, int64_t ldy);

/// The same in f32. Needs haveOneDnnF32Gemm().
bool gemmF32XWt(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t ldw, int64_t n,
                int64_t k, float *y, int64_t ldy);

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_ONEDNNGEMM_H
