//===- BatchGemm.cpp - x · Wᵀ for a batch of decode rows ------------------===//
#include "runtime/cpu/BatchGemm.h"
#include "runtime/cpu/CpuPath.h"
#include "runtime/cpu/TailMask.h"
#include "runtime/cpu/WeightPrefetch.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>

using namespace ssmrt;

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,fma")
// GCC 12's AVX-512 masked loads and reductions start from
// _mm512_undefined_ps(), which its own uninitialized-use warnings report.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace {

/// 16 weights as f32 vectors: f32 as they are, bf16 widened by a shift.
inline __m512 loadWeights(const float *w, __mmask16 mask) { return _mm512_maskz_loadu_ps(mask, w); }
inline __m512 loadWeights(const uint16_t *w, __mmask16 mask) {
  __m512i wide = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, w));
  return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
}

/// R x rows (R <= 8) times J weight rows (J <= 3), all of k.
template <int R, int J, typename W>
void tile(const float *x, int64_t ldx, const W *w, int64_t k, float *y, int64_t ldy) {
  __m512 acc[R][J];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 3
    for (int j = 0; j < J; ++j)
      acc[r][j] = _mm512_setzero_ps();
  auto step = [&](int64_t i, __mmask16 mask) {
    __m512 wv[J];
#pragma GCC unroll 3
    for (int j = 0; j < J; ++j) {
      wv[j] = loadWeights(w + j * k + i, mask);
      // A core's hardware prefetch alone leaves this loop waiting on
      // memory; a tile ahead was enough on Zen 4, not on a Xeon VM (batch-8
      // decode of mamba-130m 217 -> 230-249 tok/s at 16 KiB ahead).
      prefetchWeightsAhead(w + j * k + i, 16 * sizeof(W));
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      __m512 xv = _mm512_maskz_loadu_ps(mask, x + r * ldx + i);
#pragma GCC unroll 3
      for (int j = 0; j < J; ++j)
        acc[r][j] = _mm512_fmadd_ps(xv, wv[j], acc[r][j]);
    }
  };
  int64_t i = 0;
  for (; i + 16 <= k; i += 16)
    step(i, 0xFFFF);
  if (i < k)
    step(i, tailMask(k - i));
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 3
    for (int j = 0; j < J; ++j)
      y[r * ldy + j] = _mm512_reduce_add_ps(acc[r][j]);
}

template <typename W>
using TileFn = void (*)(const float *, int64_t, const W *, int64_t, float *, int64_t);

template <int R, typename W> constexpr TileFn<W> tilesOf(int j) {
  return j == 1 ? tile<R, 1, W> : j == 2 ? tile<R, 2, W> : tile<R, 3, W>;
}

template <typename W> TileFn<W> tileFor(int rows, int j) {
  switch (rows) {
  case 1: return tilesOf<1, W>(j);
  case 2: return tilesOf<2, W>(j);
  case 3: return tilesOf<3, W>(j);
  case 4: return tilesOf<4, W>(j);
  case 5: return tilesOf<5, W>(j);
  case 6: return tilesOf<6, W>(j);
  case 7: return tilesOf<7, W>(j);
  default: return tilesOf<8, W>(j);
  }
}

template <typename W>
void batchGemm(const float *x, int64_t ldx, int64_t rows, const W *w, int64_t n, int64_t k,
               float *y, int64_t ldy) {
  // Weight rows in threes, each read from memory once; the x rows stay in
  // L1/L2 across them.
  for (int64_t j0 = 0; j0 < n; j0 += 3) {
    int jn = static_cast<int>(std::min<int64_t>(3, n - j0));
    for (int64_t r0 = 0; r0 < rows; r0 += 8) {
      int rn = static_cast<int>(std::min<int64_t>(8, rows - r0));
      tileFor<W>(rn, jn)(x + r0 * ldx, ldx, w + j0 * k, k, y + r0 * ldy + j0, ldy);
    }
  }
}

} // namespace

void ssmrt::batchGemmAvx512(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t n,
                            int64_t k, float *y, int64_t ldy) {
  batchGemm(x, ldx, rows, w, n, k, y, ldy);
}

void ssmrt::batchGemmBf16Avx512(const float *x, int64_t ldx, int64_t rows, const uint16_t *w,
                                int64_t n, int64_t k, float *y, int64_t ldy) {
  batchGemm(x, ldx, rows, w, n, k, y, ldy);
}

#pragma GCC diagnostic pop
#pragma GCC pop_options

bool ssmrt::haveBatchGemm() {
  static const bool has = (__builtin_cpu_init(), __builtin_cpu_supports("avx512f") &&
                                                     __builtin_cpu_supports("avx512bw") &&
                                                     __builtin_cpu_supports("avx512vl"));
  return has && cpuPathAllows("avx512");
}

#else

bool ssmrt::haveBatchGemm() { return false; }
void ssmrt::batchGemmAvx512(const float *, int64_t, int64_t, const float *, int64_t, int64_t,
                            float *, int64_t) {}
void ssmrt::batchGemmBf16Avx512(const float *, int64_t, int64_t, const uint16_t *, int64_t, int64_t,
                                float *, int64_t) {}

#endif
