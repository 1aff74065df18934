//===- SmallGemm.cpp - x · Wᵀ for a few rows of x (decode) ----------------===//
#include "runtime/cpu/SmallGemm.h"
#include "runtime/cpu/CpuPath.h"
#include "runtime/cpu/SmallGemmF16.h"
#include "runtime/cpu/SmallGemmInt8.h"
#include "runtime/cpu/WeightPrefetch.h"
#include "runtime/io/HalfFloat.h"

#include <algorithm>
#include <cstring>

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
/// IEEE f16 weights: the same bits as uint16_t, another type for overloads.
struct F16 {
  uint16_t bits;
};

/// W f16 weights as floats, exactly, with integer vector operations (for
/// CPUs without F16C): sign, exponent and mantissa moved into place and the
/// exponent rebased; infinities and NaNs get the f32 maximum exponent;
/// zeros and subnormals are renormalized by a float subtraction.
template <int W>
__attribute__((always_inline)) inline void loadWeights(typename Vec<W>::type &v, const F16 *p) {
  typedef typename Vec<W>::type V;
  typedef typename Vec<W>::half H;
  typedef typename Vec<W>::bits U;
  H h;
  SSMC_LOAD(h, p);
  U x = __builtin_convertvector(h, U);
  U sign = (x & 0x8000u) << 16;
  U em = (x & 0x7fffu) << 13;
  U exp = em & 0x0f800000u;
  U normal = em + (112u << 23);
  U special = em + (224u << 23);
  U sub = em + (113u << 23);
  V subf;
  std::memcpy(&subf, &sub, sizeof(subf));
  subf -= V{} + 6.103515625e-05f; // 2^-14: the subnormal renormalization
  U subBits;
  std::memcpy(&subBits, &subf, sizeof(subBits));
  U r = exp == 0x0f800000u ? special : normal;
  r = exp == 0u ? subBits : r;
  r |= sign;
  std::memcpy(&v, &r, sizeof(v));
}

inline float weightAt(const float *p) { return *p; }
inline float weightAt(const uint16_t *p) { return bf16ToFloat(*p); }
inline float weightAt(const F16 *p) { return halfToFloat(p->bits); }

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
      prefetchWeightsAhead(wr + i, 2 * W * sizeof(T));
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

// Each variant for f32 and bf16 weights (int8: SmallGemmInt8).
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

// f16 without F16C (the x86 variants convert in hardware: SmallGemmF16).
void portableF16(const float *x, int64_t ldx, int64_t rows, const uint16_t *w, int64_t n, int64_t k,
                 float *y, int64_t ldy) {
  dispatchRows<4>(x, ldx, rows, reinterpret_cast<const F16 *>(w), n, k, y, ldy);
}

void portableWidenF16(const uint16_t *src, int64_t n, float *dst) {
  const F16 *s = reinterpret_cast<const F16 *>(src);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    Vec<4>::type v;
    loadWeights<4>(v, s + i);
    std::memcpy(dst + i, &v, sizeof(v));
  }
  for (; i < n; ++i)
    dst[i] = halfToFloat(src[i]);
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
    bool has512 = __builtin_cpu_supports("avx512f") != 0;
    // The same f32 and bf16 kernels; int8 through VNNI or AVX2.
    v.push_back(
        {"avx512vnni", avx512, avx512Bf16, smallGemmF16Avx512, smallGemmInt8Vnni,
         has512 && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")});
    v.push_back({"avx512", avx512, avx512Bf16, smallGemmF16Avx512, smallGemmInt8Avx2, has512});
    // AVX2 machines have F16C (Haswell and Zen on); checked all the same.
    v.push_back({"avx2", avx2, avx2Bf16, smallGemmF16F16c, smallGemmInt8Avx2,
                 __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0 &&
                     __builtin_cpu_supports("f16c") != 0});
#endif
    v.push_back({"portable", portable, portableBf16, portableF16, smallGemmInt8Portable, true});
    return v;
  }();
  return variants;
}

const SmallGemmVariant &ssmrt::smallGemmVariant() {
  static const SmallGemmVariant &chosen = [&]() -> const SmallGemmVariant & {
    for (const SmallGemmVariant &v : smallGemmVariants())
      if (v.supported && cpuPathAllows(v.name))
        return v;
    return smallGemmVariants().back(); // portable
  }();
  return chosen;
}

SmallGemmFn ssmrt::smallGemm() { return smallGemmVariant().fn; }

void ssmrt::widenF16(const uint16_t *src, int64_t n, float *dst) {
  static const auto widen = [] {
    const char *name = smallGemmVariant().name;
#if defined(__x86_64__)
    if (std::strncmp(name, "avx512", 6) == 0)
      return widenF16Avx512;
    if (std::strcmp(name, "avx2") == 0)
      return widenF16F16c;
#endif
    return portableWidenF16;
  }();
  widen(src, n, dst);
}
