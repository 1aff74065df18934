//===- SmallGemm.cpp - x · Wᵀ for a few rows of x (decode) ----------------===//
#include "runtime/cpu/SmallGemm.h"

#include <cstring>

using namespace ssmrt;

namespace {

/// Vectors of W floats (GCC/Clang vector extensions).
template <int W> struct Vec;
template <> struct Vec<4> {
  typedef float type __attribute__((vector_size(16)));
};
template <> struct Vec<8> {
  typedef float type __attribute__((vector_size(32)));
};
template <> struct Vec<16> {
  typedef float type __attribute__((vector_size(64)));
};

// Unaligned loads, as a statement (a function returning a vector wider than
// the default ISA would change its ABI).
#define SSMC_LOAD(v, p) std::memcpy(&(v), (p), sizeof(v))

/// The kernel over vectors of W floats; the variants below instantiate it
/// inside functions compiled for their ISA.
template <int W, int R>
__attribute__((always_inline)) inline void rowsTimesWt(const float *x, int64_t ldx, const float *w,
                                                       int64_t n, int64_t k, float *y,
                                                       int64_t ldy) {
  typedef typename Vec<W>::type V;
  for (int64_t j = 0; j < n; ++j) {
    const float *wr = w + j * k;
    V acc0[R], acc1[R];
    for (int r = 0; r < R; ++r)
      acc0[r] = acc1[r] = V{};
    int64_t i = 0;
    for (; i + 2 * W <= k; i += 2 * W) {
      V w0, w1, x0, x1;
      SSMC_LOAD(w0, wr + i);
      SSMC_LOAD(w1, wr + i + W);
      for (int r = 0; r < R; ++r) {
        SSMC_LOAD(x0, x + r * ldx + i);
        SSMC_LOAD(x1, x + r * ldx + i + W);
        acc0[r] += w0 * x0;
        acc1[r] += w1 * x1;
      }
    }
    for (; i + W <= k; i += W) {
      V w0, x0;
      SSMC_LOAD(w0, wr + i);
      for (int r = 0; r < R; ++r) {
        SSMC_LOAD(x0, x + r * ldx + i);
        acc0[r] += w0 * x0;
      }
    }
    for (int r = 0; r < R; ++r) {
      V sum = acc0[r] + acc1[r];
      float s = 0.0f;
      for (int lane = 0; lane < W; ++lane)
        s += sum[lane];
      for (int64_t t = i; t < k; ++t)
        s += wr[t] * x[r * ldx + t];
      y[r * ldy + j] = s;
    }
  }
}

template <int W>
__attribute__((always_inline)) inline void dispatchRows(const float *x, int64_t ldx, int64_t rows,
                                                        const float *w, int64_t n, int64_t k,
                                                        float *y, int64_t ldy) {
  switch (rows) {
  case 1: rowsTimesWt<W, 1>(x, ldx, w, n, k, y, ldy); break;
  case 2: rowsTimesWt<W, 2>(x, ldx, w, n, k, y, ldy); break;
  case 3: rowsTimesWt<W, 3>(x, ldx, w, n, k, y, ldy); break;
  default: rowsTimesWt<W, 4>(x, ldx, w, n, k, y, ldy); break;
  }
}

void portable(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t n, int64_t k,
              float *y, int64_t ldy) {
  dispatchRows<4>(x, ldx, rows, w, n, k, y, ldy);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void avx2(const float *x, int64_t ldx, int64_t rows,
                                              const float *w, int64_t n, int64_t k, float *y,
                                              int64_t ldy) {
  dispatchRows<8>(x, ldx, rows, w, n, k, y, ldy);
}

__attribute__((target("avx512f,avx512vl,fma"))) void avx512(const float *x, int64_t ldx,
                                                            int64_t rows, const float *w, int64_t n,
                                                            int64_t k, float *y, int64_t ldy) {
  dispatchRows<16>(x, ldx, rows, w, n, k, y, ldy);
}
#endif

} // namespace

const std::vector<SmallGemmVariant> &ssmrt::smallGemmVariants() {
  static const std::vector<SmallGemmVariant> variants = [] {
    std::vector<SmallGemmVariant> v;
#if defined(__x86_64__)
    __builtin_cpu_init();
    v.push_back({"avx512", avx512, __builtin_cpu_supports("avx512f") != 0});
    v.push_back(
        {"avx2", avx2, __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0});
#endif
    v.push_back({"portable", portable, true});
    return v;
  }();
  return variants;
}

SmallGemmFn ssmrt::smallGemm() {
  static const SmallGemmFn chosen = [] {
    for (const SmallGemmVariant &v : smallGemmVariants())
      if (v.supported)
        return v.fn;
    return portable;
  }();
  return chosen;
}
