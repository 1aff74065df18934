//===- Bf16Gemm.h - prefill products in bf16 through oneDNN -----*- C++ -*-===//
//
// A prefill with 16-bit or int8 weights is a matrix product that OpenBLAS
// can only do in f32 (Debian's build has no sbgemm), after widening the
// weights. CPUs with AVX512-BF16 (vdpbf16ps) multiply bf16 pairs at twice
// the f32 FMA rate; oneDNN's matmul does that at close to the peak, so
// prefill rounds its activations to bf16 (as llama.cpp rounds them to f16
// for f16 weights) and multiplies them with bf16 weights, accumulating in
// f32. Used only when the build found oneDNN, the CPU has AVX512-BF16 and
// $SSMC_CPU_PATH allows "avx512bf16"; otherwise the widening path runs.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_BF16GEMM_H
#define SSMC_RUNTIME_CPU_BF16GEMM_H

#include <cstdint>

namespace ssmrt {

/// Whether bf16 products run here (oneDNN, AVX512-BF16, the CPU path).
bool haveBf16Gemm();

/// |n| floats rounded to bf16 (nearest even; NaN stays NaN). Needs
/// haveBf16Gemm().
void roundToBf16(const float *src, int64_t n, uint16_t *dst);

/// y[rows, n] (row stride ldy) = x[rows, k] · w[n, k]ᵀ with x and w in bf16
/// (row strides ldx and ldw) and f32 accumulation, on the calling thread
/// only (callers split the work across their own threads). Needs
/// haveBf16Gemm(); false when oneDNN refused these sizes, y then untouched.
bool gemmBf16XWt(const uint16_t *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t ldw,
                 int64_t n, int64_t k, float *y, int64_t ldy);

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_BF16GEMM_H
