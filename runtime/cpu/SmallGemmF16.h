//===- SmallGemmF16.h - the f16 decode product with F16C -------*- C++ -*-===//
//
// SmallGemm's f16 form on x86 with the hardware conversion (vcvtph2ps:
// AVX-512F, or AVX2 with F16C): GCC widens _Float16 vectors one element at
// a time, and the integer-operation widening SmallGemm.cpp uses everywhere
// else costs more than the bandwidth leaves. Each variant compiles its file
// section for its ISA and is called only on a CPU that has it.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_SMALLGEMMF16_H
#define SSMC_RUNTIME_CPU_SMALLGEMMF16_H

#include <cstdint>

namespace ssmrt {

#if defined(__x86_64__)
void smallGemmF16Avx512(const float *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t n,
                        int64_t k, float *y, int64_t ldy);
void smallGemmF16F16c(const float *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t n,
                      int64_t k, float *y, int64_t ldy);
void widenF16Avx512(const uint16_t *src, int64_t n, float *dst);
void widenF16F16c(const uint16_t *src, int64_t n, float *dst);
#endif

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_SMALLGEMMF16_H
