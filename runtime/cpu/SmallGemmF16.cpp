//===- SmallGemmF16.cpp - the f16 decode product with F16C ----------------===//
#include "runtime/cpu/SmallGemmF16.h"
#include "runtime/cpu/WeightPrefetch.h"
#include "runtime/io/HalfFloat.h"

#if defined(__x86_64__)
#include <immintrin.h>

using namespace ssmrt;

// One weight row at a time, two vector accumulators per row of x, as
// SmallGemm.cpp's kernel (NAME##Rows, R rows of x); the entry points GEMM
// (dispatching on the rows) and WIDEN (prefill blocks).
#define SSMC_F16_KERNEL(NAME, GEMM, WIDEN, V, W, CVT, LOADH, LOADX, STORE, FMA, ZERO, HSUM)        \
  namespace {                                                                                      \
  template <int R>                                                                                 \
  void NAME##Rows(const float *x, int64_t ldx, const uint16_t *w, int64_t n, int64_t k, float *y,  \
                  int64_t ldy) {                                                                   \
    for (int64_t j = 0; j < n; ++j) {                                                              \
      const uint16_t *wr = w + j * k;                                                              \
      V acc0[R], acc1[R];                                                                          \
      for (int r = 0; r < R; ++r)                                                                  \
        acc0[r] = acc1[r] = ZERO();                                                                \
      int64_t i = 0;                                                                               \
      for (; i + 2 * W <= k; i += 2 * W) {                                                         \
        prefetchWeightsAhead(wr + i, 2 * W * 2);                                                   \
        V w0 = CVT(LOADH(wr + i)), w1 = CVT(LOADH(wr + i + W));                                    \
        for (int r = 0; r < R; ++r) {                                                              \
          acc0[r] = FMA(w0, LOADX(x + r * ldx + i), acc0[r]);                                      \
          acc1[r] = FMA(w1, LOADX(x + r * ldx + i + W), acc1[r]);                                  \
        }                                                                                          \
      }                                                                                            \
      for (; i + W <= k; i += W) {                                                                 \
        V w0 = CVT(LOADH(wr + i));                                                                 \
        for (int r = 0; r < R; ++r)                                                                \
          acc0[r] = FMA(w0, LOADX(x + r * ldx + i), acc0[r]);                                      \
      }                                                                                            \
      for (int r = 0; r < R; ++r) {                                                                \
        float s = HSUM(acc0[r], acc1[r]);                                                          \
        for (int64_t t = i; t < k; ++t)                                                            \
          s += halfToFloat(wr[t]) * x[r * ldx + t];                                                \
        y[r * ldy + j] = s;                                                                        \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  }                                                                                                \
  void ssmrt::GEMM(const float *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t n,        \
                   int64_t k, float *y, int64_t ldy) {                                             \
    switch (rows) {                                                                                \
    case 1: NAME##Rows<1>(x, ldx, w, n, k, y, ldy); break;                                         \
    case 2: NAME##Rows<2>(x, ldx, w, n, k, y, ldy); break;                                         \
    case 3: NAME##Rows<3>(x, ldx, w, n, k, y, ldy); break;                                         \
    default: NAME##Rows<4>(x, ldx, w, n, k, y, ldy); break;                                        \
    }                                                                                              \
  }                                                                                                \
  void ssmrt::WIDEN(const uint16_t *src, int64_t n, float *dst) {                                  \
    int64_t i = 0;                                                                                 \
    for (; i + W <= n; i += W)                                                                     \
      STORE(dst + i, CVT(LOADH(src + i)));                                                         \
    for (; i < n; ++i)                                                                             \
      dst[i] = halfToFloat(src[i]);                                                                \
  }

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,fma")
// GCC 12's AVX-512 conversions start from _mm512_undefined_ps(), which its
// own -Wmaybe-uninitialized then reports.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace {
inline __m256i loadHalves16(const uint16_t *p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
}
inline float hsum512(__m512 a, __m512 b) { return _mm512_reduce_add_ps(_mm512_add_ps(a, b)); }
} // namespace
SSMC_F16_KERNEL(avx512, smallGemmF16Avx512, widenF16Avx512, __m512, 16, _mm512_cvtph_ps,
                loadHalves16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_fmadd_ps, _mm512_setzero_ps,
                hsum512)
#pragma GCC diagnostic pop
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,f16c,fma")
namespace {
inline __m128i loadHalves8(const uint16_t *p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
}
inline float hsum256(__m256 a, __m256 b) {
  __m256 s = _mm256_add_ps(a, b);
  __m128 q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  q = _mm_add_ps(q, _mm_movehl_ps(q, q));
  q = _mm_add_ss(q, _mm_movehdup_ps(q));
  return _mm_cvtss_f32(q);
}
} // namespace
SSMC_F16_KERNEL(f16c, smallGemmF16F16c, widenF16F16c, __m256, 8, _mm256_cvtph_ps, loadHalves8,
                _mm256_loadu_ps, _mm256_storeu_ps, _mm256_fmadd_ps, _mm256_setzero_ps, hsum256)
#pragma GCC pop_options

#endif
