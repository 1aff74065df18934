//===- SmallGemmInt8.cpp - the int8 decode product ------------------------===//
#include "runtime/cpu/SmallGemmInt8.h"
#include "runtime/cpu/SmallGemm.h"
#include "runtime/cpu/WeightPrefetch.h"
#include "runtime/exec/QuantizeInt8.h"

#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace ssmrt;

namespace {

/// Per thread: the quantized rows of the current call.
struct Quantized {
  std::vector<int8_t> q;
  std::vector<float> scales;
  void of(const float *x, int64_t ldx, int64_t rows, int64_t k) {
    int64_t groups = (k + kInt8Group - 1) / kInt8Group;
    if (q.size() < size_t(rows * k))
      q.resize(rows * k);
    if (scales.size() < size_t(rows * groups))
      scales.resize(rows * groups);
    quantizeInt8Groups(x, ldx, rows, k, kInt8Group, q.data(), scales.data());
  }
};
thread_local Quantized quantized;

/// The exact dot product of a group's bytes.
inline int32_t groupDot(const int8_t *a, const int8_t *b, int64_t n) {
  int32_t s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += int32_t(a[i]) * int32_t(b[i]);
  return s;
}

/// The product over |rows| quantized rows; |fullGroups(w, x, r)| adds the
/// scaled dot products of all full groups of weight row w and x row r,
/// the partial last group is done here.
template <typename FullGroups>
inline void int8Rows(int64_t rows, const int8_t *q, const float *scales, int64_t n, int64_t k,
                     float *y, int64_t ldy, const FullGroups &fullGroups) {
  const int64_t groups = (k + kInt8Group - 1) / kInt8Group, full = k / kInt8Group;
  const int8_t *xq = quantized.q.data();
  const float *xs = quantized.scales.data();
  for (int64_t j = 0; j < n; ++j)
    for (int64_t r = 0; r < rows; ++r) {
      const int8_t *wr = q + j * k, *xr = xq + r * k;
      const float *ws = scales + j * groups, *xsr = xs + r * groups;
      float s = fullGroups(wr, ws, xr, xsr, full);
      if (full < groups)
        s += groupDot(wr + full * kInt8Group, xr + full * kInt8Group, k - full * kInt8Group) *
             ws[full] * xsr[full];
      y[r * ldy + j] = s;
    }
}

} // namespace

void ssmrt::smallGemmInt8Portable(const float *x, int64_t ldx, int64_t rows, const int8_t *q,
                                  const float *scales, int64_t n, int64_t k, float *y,
                                  int64_t ldy) {
  quantized.of(x, ldx, rows, k);
  int8Rows(rows, q, scales, n, k, y, ldy,
           [](const int8_t *w, const float *ws, const int8_t *x, const float *xs, int64_t full) {
             float s = 0.0f;
             for (int64_t g = 0; g < full; ++g)
               s += groupDot(w + g * kInt8Group, x + g * kInt8Group, kInt8Group) * ws[g] * xs[g];
             return s;
           });
}

#if defined(__x86_64__)
namespace {

#define SSMC_AVX2 __attribute__((target("avx2,fma")))
#define SSMC_VNNI __attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni")))

SSMC_AVX2 inline float sum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

/// The full groups of one weight row against one x row: per group of 32,
/// |x| (unsigned) times w with x's sign, summed to 8 int32 lanes by
/// |dot|, converted and scaled into a vector total.
#define SSMC_FULL_GROUPS(NAME, TARGET, DOT)                                                        \
  TARGET float NAME(const int8_t *w, const float *ws, const int8_t *x, const float *xs,            \
                    int64_t full) {                                                                \
    __m256 total = _mm256_setzero_ps();                                                            \
    for (int64_t g = 0; g < full; ++g) {                                                           \
      prefetchWeightsAhead(w + g * kInt8Group, kInt8Group);                                        \
      __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(w + g * kInt8Group));      \
      __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x + g * kInt8Group));      \
      __m256i dot = DOT(_mm256_abs_epi8(xv), _mm256_sign_epi8(wv, xv));                            \
      total = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(ws[g] * xs[g]), total);      \
    }                                                                                              \
    return sum8(total);                                                                            \
  }

// No overflow: each pair of bytes sums to at most 2 · 127 · 127 < 2^15.
SSMC_AVX2 inline __m256i dotAvx2(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}
SSMC_VNNI inline __m256i dotVnni(__m256i u, __m256i s) {
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
}
SSMC_FULL_GROUPS(fullGroupsAvx2, SSMC_AVX2, dotAvx2)
SSMC_FULL_GROUPS(fullGroupsVnni, SSMC_VNNI, dotVnni)

} // namespace

void ssmrt::smallGemmInt8Avx2(const float *x, int64_t ldx, int64_t rows, const int8_t *q,
                              const float *scales, int64_t n, int64_t k, float *y, int64_t ldy) {
  quantized.of(x, ldx, rows, k);
  int8Rows(rows, q, scales, n, k, y, ldy, fullGroupsAvx2);
}

void ssmrt::smallGemmInt8Vnni(const float *x, int64_t ldx, int64_t rows, const int8_t *q,
                              const float *scales, int64_t n, int64_t k, float *y, int64_t ldy) {
  quantized.of(x, ldx, rows, k);
  int8Rows(rows, q, scales, n, k, y, ldy, fullGroupsVnni);
}
#endif
