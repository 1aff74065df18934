//===- SmallGemm.cpp - x · Wᵀ for a few rows of x (decode) ----------------===//
#include "runtime/cpu/SmallGemm.h"
#include "runtime/io/HalfFloat.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace ssmrt;

namespace {

/// Vectors of W floats (GCC/Clang vector extensions).
template <int W> struct Vec;
template <> struct Vec<4> {
  typedef float type __attribute__((vector_size(16)));
  typedef uint16_t half __attribute__((vector_size(8)));
  typedef uint32_t bits __attribute__((vector_size(16)));
};
template <> struct Vec<8> {
  typedef float type __attribute__((vector_size(32)));
  typedef uint16_t half __attribute__((vector_size(16)));
  typedef uint32_t bits __attribute__((vector_size(32)));
};
template <> struct Vec<16> {
  typedef float type __attribute__((vector_size(64)));
  typedef uint16_t half __attribute__((vector_size(32)));
  typedef uint32_t bits __attribute__((vector_size(64)));
};

// Unaligned loads, as a statement (a function returning a vector wider than
// the default ISA would change its ABI).
#define SSMC_LOAD(v, p) std::memcpy(&(v), (p), sizeof(v))

/// W weights from |p| as floats: f32 as they are; bf16 (its upper half)
/// widened by a shift.
template <int W>
__attribute__((always_inline)) inline void loadWeights(typename Vec<W>::type &v, const float *p) {
  SSMC_LOAD(v, p);
}
template <int W>
__attribute__((always_inline)) inline void loadWeights(typename Vec<W>::type &v,
                                                       const uint16_t *p) {
  typedef typename Vec<W>::half H;
  typedef typename Vec<W>::bits U;
  H h;
  SSMC_LOAD(h, p);
  U u = __builtin_convertvector(h, U) << 16;
  std::memcpy(&v, &u, sizeof(v));
}
inline float weightAt(const float *p) { return *p; }
inline float weightAt(const uint16_t *p) { return bf16ToFloat(*p); }

/// The kernel over vectors of W floats; the variants below instantiate it
/// inside functions compiled for their ISA.
template <int W, int R, typename T>
__attribute__((always_inline)) inline void
rowsTimesWt(const float *x, int64_t ldx, const T *w, int64_t n, int64_t k, float *y, int64_t ldy) {
  typedef typename Vec<W>::type V;
  for (int64_t j = 0; j < n; ++j) {
    const T *wr = w + j * k;
    V acc0[R], acc1[R];
    for (int r = 0; r < R; ++r)
      acc0[r] = acc1[r] = V{};
    int64_t i = 0;
    for (; i + 2 * W <= k; i += 2 * W) {
      V w0, w1, x0, x1;
      loadWeights<W>(w0, wr + i);
      loadWeights<W>(w1, wr + i + W);
      for (int r = 0; r < R; ++r) {
        SSMC_LOAD(x0, x + r * ldx + i);
        SSMC_LOAD(x1, x + r * ldx + i + W);
        acc0[r] += w0 * x0;
        acc1[r] += w1 * x1;
      }
    }
    for (; i + W <= k; i += W) {
      V w0, x0;
      loadWeights<W>(w0, wr + i);
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
        s += weightAt(wr + t) * x[r * ldx + t];
      y[r * ldy + j] = s;
    }
  }
}

/// The same for int8 weights with one f32 scale per group of kInt8Group
/// along each row: a vector accumulator per group, scaled into the row's
/// total when the group ends.
template <int W, int R>
__attribute__((always_inline)) inline void
rowsTimesQ8Wt(const float *x, int64_t ldx, const int8_t *q, const float *scales, int64_t n,
              int64_t k, float *y, int64_t ldy) {
  typedef typename Vec<W>::type V;
  const int64_t groups = (k + kInt8Group - 1) / kInt8Group;
  for (int64_t j = 0; j < n; ++j) {
    const int8_t *qr = q + j * k;
    const float *sr = scales + j * groups;
    V total[R];
    float tail[R];
    for (int r = 0; r < R; ++r) {
      total[r] = V{};
      tail[r] = 0.0f;
    }
    for (int64_t g = 0; g < groups; ++g) {
      int64_t i0 = g * kInt8Group, i1 = std::min(k, i0 + kInt8Group);
      V acc[R];
      for (int r = 0; r < R; ++r)
        acc[r] = V{};
      int64_t i = i0;
      for (; i + W <= i1; i += W) {
        // Widened by a loop the vectorizer turns into sign extensions and a
        // conversion (__builtin_convertvector of int8 lanes is scalarized).
        float wide[W];
        for (int l = 0; l < W; ++l)
          wide[l] = qr[i + l];
        V w, xv;
        SSMC_LOAD(w, wide);
        for (int r = 0; r < R; ++r) {
          SSMC_LOAD(xv, x + r * ldx + i);
          acc[r] += w * xv;
        }
      }
      for (int r = 0; r < R; ++r) {
        total[r] += acc[r] * sr[g];
        float rest = 0.0f;
        for (int64_t t = i; t < i1; ++t)
          rest += float(qr[t]) * x[r * ldx + t];
        tail[r] += rest * sr[g];
      }
    }
    for (int r = 0; r < R; ++r) {
      float s = tail[r];
      for (int lane = 0; lane < W; ++lane)
        s += total[r][lane];
      y[r * ldy + j] = s;
    }
  }
}

template <int W>
__attribute__((always_inline)) inline void
dispatchQ8Rows(const float *x, int64_t ldx, int64_t rows, const int8_t *q, const float *scales,
               int64_t n, int64_t k, float *y, int64_t ldy) {
  switch (rows) {
  case 1: rowsTimesQ8Wt<W, 1>(x, ldx, q, scales, n, k, y, ldy); break;
  case 2: rowsTimesQ8Wt<W, 2>(x, ldx, q, scales, n, k, y, ldy); break;
  case 3: rowsTimesQ8Wt<W, 3>(x, ldx, q, scales, n, k, y, ldy); break;
  default: rowsTimesQ8Wt<W, 4>(x, ldx, q, scales, n, k, y, ldy); break;
  }
}

template <int W, typename T>
__attribute__((always_inline)) inline void dispatchRows(const float *x, int64_t ldx, int64_t rows,
                                                        const T *w, int64_t n, int64_t k, float *y,
                                                        int64_t ldy) {
  switch (rows) {
  case 1: rowsTimesWt<W, 1>(x, ldx, w, n, k, y, ldy); break;
  case 2: rowsTimesWt<W, 2>(x, ldx, w, n, k, y, ldy); break;
  case 3: rowsTimesWt<W, 3>(x, ldx, w, n, k, y, ldy); break;
  default: rowsTimesWt<W, 4>(x, ldx, w, n, k, y, ldy); break;
  }
}

#if defined(__x86_64__)
// GCC 12 warns inside its own AVX-512 conversion intrinsics (their
// undefined-vector idiom; GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The int8 kernel on x86, with intrinsics: GCC scalarizes the widening of
// int8 lanes written with vector extensions (and intrinsics cannot inline
// into the generic template above, which has no target).
#define SSMC_Q8_X86(NAME, TARGET, VEC, W, WIDEN, LOAD, FMA, SET1, ZERO, REDUCE)                    \
  template <int R>                                                                                 \
  TARGET void NAME##Rows(const float *x, int64_t ldx, const int8_t *q, const float *scales,        \
                         int64_t n, int64_t k, float *y, int64_t ldy) {                            \
    const int64_t groups = (k + kInt8Group - 1) / kInt8Group;                                      \
    for (int64_t j = 0; j < n; ++j) {                                                              \
      const int8_t *qr = q + j * k;                                                                \
      const float *sr = scales + j * groups;                                                       \
      VEC total[R];                                                                                \
      float tail[R];                                                                               \
      for (int r = 0; r < R; ++r) {                                                                \
        total[r] = ZERO();                                                                         \
        tail[r] = 0.0f;                                                                            \
      }                                                                                            \
      for (int64_t g = 0; g < groups; ++g) {                                                       \
        int64_t i0 = g * kInt8Group, i1 = std::min(k, i0 + kInt8Group), i = i0;                    \
        VEC acc[R];                                                                                \
        for (int r = 0; r < R; ++r)                                                                \
          acc[r] = ZERO();                                                                         \
        for (; i + W <= i1; i += W) {                                                              \
          VEC w = WIDEN(qr + i);                                                                   \
          for (int r = 0; r < R; ++r)                                                              \
            acc[r] = FMA(w, LOAD(x + r * ldx + i), acc[r]);                                        \
        }                                                                                          \
        for (int r = 0; r < R; ++r) {                                                              \
          total[r] = FMA(acc[r], SET1(sr[g]), total[r]);                                           \
          float rest = 0.0f;                                                                       \
          for (int64_t t = i; t < i1; ++t)                                                         \
            rest += float(qr[t]) * x[r * ldx + t];                                                 \
          tail[r] += rest * sr[g];                                                                 \
        }                                                                                          \
      }                                                                                            \
      for (int r = 0; r < R; ++r)                                                                  \
        y[r * ldy + j] = tail[r] + REDUCE(total[r]);                                               \
    }                                                                                              \
  }                                                                                                \
  TARGET void NAME(const float *x, int64_t ldx, int64_t rows, const int8_t *q,                     \
                   const float *scales, int64_t n, int64_t k, float *y, int64_t ldy) {             \
    switch (rows) {                                                                                \
    case 1: NAME##Rows<1>(x, ldx, q, scales, n, k, y, ldy); break;                                 \
    case 2: NAME##Rows<2>(x, ldx, q, scales, n, k, y, ldy); break;                                 \
    case 3: NAME##Rows<3>(x, ldx, q, scales, n, k, y, ldy); break;                                 \
    default: NAME##Rows<4>(x, ldx, q, scales, n, k, y, ldy); break;                                \
    }                                                                                              \
  }

#define SSMC_AVX512 __attribute__((target("avx512f,avx512vl,fma")))
#define SSMC_AVX2 __attribute__((target("avx2,fma")))
SSMC_AVX512 inline __m512 widen16(const int8_t *p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
}
SSMC_AVX2 inline __m256 widen8(const int8_t *p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
SSMC_AVX2 inline float reduce8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
SSMC_Q8_X86(avx512Int8, SSMC_AVX512, __m512, 16, widen16, _mm512_loadu_ps, _mm512_fmadd_ps,
            _mm512_set1_ps, _mm512_setzero_ps, _mm512_reduce_add_ps)
SSMC_Q8_X86(avx2Int8, SSMC_AVX2, __m256, 8, widen8, _mm256_loadu_ps, _mm256_fmadd_ps,
            _mm256_set1_ps, _mm256_setzero_ps, reduce8)
#pragma GCC diagnostic pop
#endif

// Each variant for f32 and bf16 weights (and int8 for the portable one).
#define SSMC_VARIANTS(NAME, W, TARGET)                                                             \
  TARGET void NAME(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t n,           \
                   int64_t k, float *y, int64_t ldy) {                                             \
    dispatchRows<W>(x, ldx, rows, w, n, k, y, ldy);                                                \
  }                                                                                                \
  TARGET void NAME##Bf16(const float *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t n,  \
                         int64_t k, float *y, int64_t ldy) {                                       \
    dispatchRows<W>(x, ldx, rows, w, n, k, y, ldy);                                                \
  }

SSMC_VARIANTS(portable, 4, )
void portableInt8(const float *x, int64_t ldx, int64_t rows, const int8_t *q, const float *scales,
                  int64_t n, int64_t k, float *y, int64_t ldy) {
  dispatchQ8Rows<4>(x, ldx, rows, q, scales, n, k, y, ldy);
}
#if defined(__x86_64__)
SSMC_VARIANTS(avx2, 8, __attribute__((target("avx2,fma"))))
SSMC_VARIANTS(avx512, 16, __attribute__((target("avx512f,avx512vl,fma"))))
#endif

} // namespace

const std::vector<SmallGemmVariant> &ssmrt::smallGemmVariants() {
  static const std::vector<SmallGemmVariant> variants = [] {
    std::vector<SmallGemmVariant> v;
#if defined(__x86_64__)
    __builtin_cpu_init();
    v.push_back({"avx512", avx512, avx512Bf16, avx512Int8, __builtin_cpu_supports("avx512f") != 0});
    v.push_back({"avx2", avx2, avx2Bf16, avx2Int8,
                 __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0});
#endif
    v.push_back({"portable", portable, portableBf16, portableInt8, true});
    return v;
  }();
  return variants;
}

const SmallGemmVariant &ssmrt::smallGemmVariant() {
  static const SmallGemmVariant &chosen = [&]() -> const SmallGemmVariant & {
    for (const SmallGemmVariant &v : smallGemmVariants())
      if (v.supported)
        return v;
    return smallGemmVariants().back(); // portable
  }();
  return chosen;
}

SmallGemmFn ssmrt::smallGemm() { return smallGemmVariant().fn; }
