//===- SmallGemm.h - x · Wᵀ for a few rows of x (decode) --------*- C++ -*-===//
//
// A decode step multiplies one token row (or a few, one per sequence) by
// each weight matrix: a matrix-vector product bound by reading the weights
// once. BLAS's sgemv streams four weight rows at a time and stays well under
// the bandwidth a single stream gets here, so this kernel reads one weight
// row at a time, with two vector accumulators per token row, in the widest
// vectors the CPU has (chosen at run time: AVX-512, AVX2 or portable).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_SMALLGEMM_H
#define SSMC_RUNTIME_CPU_SMALLGEMM_H

#include <cstdint>
#include <vector>

namespace ssmrt {

/// The most rows of x one call takes.
constexpr int64_t kSmallGemmRows = 4;

/// y[r, j] = Σ_i x[r, i] · w[j, i] for r < rows (1..kSmallGemmRows),
/// j < n, i < k; rows of x are ldx floats apart, rows of y ldy.
using SmallGemmFn = void (*)(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t n,
                             int64_t k, float *y, int64_t ldy);

/// The same with bf16 weights (the upper halves of f32 values), widened to
/// f32 as they are read: half the bytes of a decode step.
using SmallGemmBf16Fn = void (*)(const float *x, int64_t ldx, int64_t rows, const uint16_t *w,
                                 int64_t n, int64_t k, float *y, int64_t ldy);

/// |n| IEEE f16 values widened to f32 (exactly), in the widest vectors the
/// CPU has: for the blocks a prefill widens before BLAS.
void widenF16(const uint16_t *src, int64_t n, float *dst);

/// Int8 weights take one f32 scale per this many consecutive weights of a
/// row (llama.cpp's q8_0 blocks hold 32 too): w ≈ q · scale.
constexpr int64_t kInt8Group = 32;

/// The same with int8 weights q [n, k] and scales [n, ceil(k / kInt8Group)]
/// (x is quantized alike; SmallGemmInt8.h).
using SmallGemmInt8Fn = void (*)(const float *x, int64_t ldx, int64_t rows, const int8_t *q,
                                 const float *scales, int64_t n, int64_t k, float *y, int64_t ldy);

/// One implementation and the instruction set it needs.
struct SmallGemmVariant {
  const char *name; ///< "avx512", "avx2" or "portable"
  SmallGemmFn fn;
  SmallGemmBf16Fn bf16;
  SmallGemmBf16Fn f16; ///< IEEE f16 weights, widened as read
  SmallGemmInt8Fn int8;
  bool supported; ///< whether this CPU runs it
};

/// Every implementation built into this binary, widest first.
const std::vector<SmallGemmVariant> &smallGemmVariants();

/// The widest implementation this CPU runs.
const SmallGemmVariant &smallGemmVariant();
SmallGemmFn smallGemm();

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_SMALLGEMM_H
