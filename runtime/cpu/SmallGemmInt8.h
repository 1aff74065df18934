//===- SmallGemmInt8.h - the int8 decode product ----------------*- C++ -*-===//
//
// x · Wᵀ for a few rows of x with int8 weights in groups of kInt8Group
// values of a row, one f32 scale each. x is quantized the same way per call
// (QuantizeInt8.h, as llama.cpp's q8_0 × q8_0 does), so each group is an exact int32
// dot product of bytes: VNNI's vpdpbusd where the CPU has it, AVX2's
// vpmaddubsw/vpmaddwd otherwise (|x| as the unsigned operand, x's sign moved
// onto w), plain integers in the portable form. All three give the same
// group sums; only the f32 accumulation of the scaled groups differs.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_SMALLGEMMINT8_H
#define SSMC_RUNTIME_CPU_SMALLGEMMINT8_H

#include <cstdint>

namespace ssmrt {

void smallGemmInt8Portable(const float *x, int64_t ldx, int64_t rows, const int8_t *q,
                           const float *scales, int64_t n, int64_t k, float *y, int64_t ldy);
#if defined(__x86_64__)
void smallGemmInt8Avx2(const float *x, int64_t ldx, int64_t rows, const int8_t *q,
                       const float *scales, int64_t n, int64_t k, float *y, int64_t ldy);
void smallGemmInt8Vnni(const float *x, int64_t ldx, int64_t rows, const int8_t *q,
                       const float *scales, int64_t n, int64_t k, float *y, int64_t ldy);
#endif

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_SMALLGEMMINT8_H
