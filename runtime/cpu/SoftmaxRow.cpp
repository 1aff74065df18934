//===- SoftmaxRow.cpp - the vector work of an online softmax --------------===//
#include "runtime/cpu/SoftmaxRow.h"
#include "runtime/cpu/CpuPath.h"

#include <cmath>
#include <cstring>

using namespace ssmrt;

namespace {

template <int W> struct Vec {
  typedef float f __attribute__((vector_size(W * 4)));
  typedef int32_t i __attribute__((vector_size(W * 4)));
};

// Unaligned loads and stores, as statements (a function returning a vector
// wider than the default ISA would change its ABI).
#define SSMC_LOAD(v, p) std::memcpy(&(v), (p), sizeof(v))
#define SSMC_STORE(p, v) std::memcpy((p), &(v), sizeof(v))

/// exp(x) for x <= 88, lanes below -87 clamped there.
template <int W> __attribute__((always_inline)) inline void vexp(typename Vec<W>::f &x) {
  typedef typename Vec<W>::f V;
  typedef typename Vec<W>::i VI;
  const V lo = V{} - 87.0f;
  x = x < lo ? lo : x;
  // n = round(x / ln 2) by the 1.5·2^23 trick; r = x - n·ln 2 in two parts.
  const V magic = V{} + 12582912.0f;
  V n = (x * 1.44269504088896341f + magic) - magic;
  V r = x - n * 0.693359375f + n * 2.12194440e-4f;
  V p = V{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  VI bits = (__builtin_convertvector(n, VI) + 127) << 23;
  V scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  x = p * scale;
}

template <int W> __attribute__((always_inline)) inline float rowMax(const float *p, int64_t n) {
  typedef typename Vec<W>::f V;
  typedef typename Vec<W>::i VI;
  float m = p[0];
  bool nan = false;
  int64_t j = 0;
  if (n >= W) {
    // Lane-wise maxima and a mask of NaN lanes: one compare and one select
    // per vector, no branch.
    V acc, v;
    VI nans = VI{};
    SSMC_LOAD(acc, p);
    for (; j + W <= n; j += W) {
      SSMC_LOAD(v, p + j);
      acc = v > acc ? v : acc;
      nans |= v != v;
    }
    for (int l = 0; l < W; ++l) {
      m = acc[l] > m ? acc[l] : m;
      nan |= nans[l] != 0;
    }
  }
  for (; j < n; ++j) {
    m = p[j] > m ? p[j] : m;
    nan |= p[j] != p[j];
  }
  return nan ? NAN : m;
}

template <int W>
__attribute__((always_inline)) inline float expSumRow(float *p, int64_t n, float m) {
  typedef typename Vec<W>::f V;
  V acc = V{}, v;
  int64_t j = 0;
  for (; j + W <= n; j += W) {
    SSMC_LOAD(v, p + j);
    v -= m;
    vexp<W>(v);
    SSMC_STORE(p + j, v);
    acc += v;
  }
  if (j < n) { // the tail through a padded vector
    float tail[W];
    for (int l = 0; l < W; ++l)
      tail[l] = j + l < n ? p[j + l] - m : -100.0f;
    SSMC_LOAD(v, tail);
    vexp<W>(v);
    SSMC_STORE(tail, v);
    for (int64_t l = 0; j + l < n; ++l) {
      p[j + l] = tail[l];
      acc[l] += tail[l];
    }
  }
  float sum = 0.0f;
  for (int l = 0; l < W; ++l)
    sum += acc[l];
  return sum;
}

float portableMax(const float *p, int64_t n) { return rowMax<4>(p, n); }
float portableExpSum(float *p, int64_t n, float m) { return expSumRow<4>(p, n, m); }

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float avx2Max(const float *p, int64_t n) {
  return rowMax<8>(p, n);
}
__attribute__((target("avx2,fma"))) float avx2ExpSum(float *p, int64_t n, float m) {
  return expSumRow<8>(p, n, m);
}
__attribute__((target("avx512f,avx512vl,fma"))) float avx512Max(const float *p, int64_t n) {
  return rowMax<16>(p, n);
}
__attribute__((target("avx512f,avx512vl,fma"))) float avx512ExpSum(float *p, int64_t n, float m) {
  return expSumRow<16>(p, n, m);
}
#endif

} // namespace

const std::vector<SoftmaxRowVariant> &ssmrt::softmaxRowVariants() {
  static const std::vector<SoftmaxRowVariant> variants = [] {
    std::vector<SoftmaxRowVariant> v;
#if defined(__x86_64__)
    __builtin_cpu_init();
    v.push_back({"avx512", {avx512Max, avx512ExpSum}, __builtin_cpu_supports("avx512f") != 0});
    v.push_back({"avx2",
                 {avx2Max, avx2ExpSum},
                 __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0});
#endif
    v.push_back({"portable", {portableMax, portableExpSum}, true});
    return v;
  }();
  return variants;
}

const SoftmaxRowFns &ssmrt::softmaxRow() {
  static const SoftmaxRowFns chosen = [] {
    for (const SoftmaxRowVariant &v : softmaxRowVariants())
      if (v.supported && cpuPathAllows(v.name))
        return v.fns;
    return SoftmaxRowFns{portableMax, portableExpSum};
  }();
  return chosen;
}
