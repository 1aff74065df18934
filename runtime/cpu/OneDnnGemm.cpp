//===- OneDnnGemm.cpp - matrix products through oneDNN --------------------===//
#include "runtime/cpu/OneDnnGemm.h"
#include "runtime/cpu/CpuPath.h"
#include "runtime/cpu/TailMask.h"

#ifdef SSMC_HAVE_DNNL
#include <immintrin.h>
#include <map>
#include <memory>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <tuple>
#include <vector>
#endif

using namespace ssmrt;

#ifdef SSMC_HAVE_DNNL

namespace {

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

/// One product's primitive and the scratch it asked for.
struct Product {
  dnnl::matmul matmul;
  dnnl::memory::desc x, w, y;
  std::vector<uint8_t> scratch;
  dnnl::memory scratchMemory;
};

using ProductKey = std::tuple<bool, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>;

/// This thread's primitive for the dtype, sizes and strides, made on first
/// use. Each thread keeps its own (with its own scratch), so threads never
/// share a primitive's state; a thread keeps at most 64 (prompts of ever
/// new lengths would otherwise pile them up).
Product *product(bool bf16, int64_t rows, int64_t n, int64_t k, int64_t ldx, int64_t ldw,
                 int64_t ldy) {
  thread_local std::map<ProductKey, std::unique_ptr<Product>> products;
  ProductKey key{bf16, rows, n, k, ldx, ldw, ldy};
  auto it = products.find(key);
  if (it != products.end())
    return it->second.get();
  if (products.size() >= 64)
    products.clear();
  using dt = dnnl::memory::data_type;
  dt in = bf16 ? dt::bf16 : dt::f32;
  auto p = std::make_unique<Product>();
  p->x = dnnl::memory::desc({rows, k}, in, {ldx, 1});
  p->w = dnnl::memory::desc({k, n}, in, {1, ldw});
  p->y = dnnl::memory::desc({rows, n}, dt::f32, {ldy, 1});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(p->x, p->w, p->y), attr, cpuEngine());
  p->matmul = dnnl::matmul(pd);
  p->scratch.resize(pd.scratchpad_desc().get_size());
  p->scratchMemory = dnnl::memory(pd.scratchpad_desc(), cpuEngine(), p->scratch.data());
  return products.emplace(key, std::move(p)).first->second.get();
}

bool cpuHas(dnnl::cpu_isa isa) {
  try {
    return dnnl::get_effective_cpu_isa() >= isa;
  } catch (const dnnl::error &) {
    return false;
  }
}

/// y = x · wᵀ with both in |bf16| or f32 (the functions below).
bool gemmXWt(bool bf16, const void *x, int64_t ldx, int64_t rows, const void *w, int64_t ldw,
             int64_t n, int64_t k, float *y, int64_t ldy) {
  // oneDNN parallelizes with OpenMP; the caller's threads split the work,
  // so each runs its part alone (the setting is per thread).
  thread_local bool alone = (omp_set_num_threads(1), true);
  (void)alone;
  try {
    Product *p = product(bf16, rows, n, k, ldx, ldw, ldy);
    dnnl::engine &engine = cpuEngine();
    thread_local dnnl::stream stream(engine);
    dnnl::memory xm(p->x, engine, const_cast<void *>(x));
    dnnl::memory wm(p->w, engine, const_cast<void *>(w));
    dnnl::memory ym(p->y, engine, y);
    p->matmul.execute(stream, {{DNNL_ARG_SRC, xm},
                               {DNNL_ARG_WEIGHTS, wm},
                               {DNNL_ARG_DST, ym},
                               {DNNL_ARG_SCRATCHPAD, p->scratchMemory}});
    stream.wait();
    return true;
  } catch (const dnnl::error &) {
    return false;
  }
}

} // namespace

bool ssmrt::haveBf16Gemm() {
  static const bool have = cpuHas(dnnl::cpu_isa::avx512_core_bf16);
  return have && cpuPathAllows("avx512bf16");
}

bool ssmrt::useBf16Gemm() {
  static const bool faster = cpuHas(dnnl::cpu_isa::avx512_core_amx) || [] {
    __builtin_cpu_init();
    return __builtin_cpu_is("amd") != 0;
  }();
  return haveBf16Gemm() && (faster || cpuPathIs("avx512bf16"));
}

bool ssmrt::haveOneDnnF32Gemm() {
  static const bool have = cpuHas(dnnl::cpu_isa::avx512_core);
  return have && cpuPathAllows("avx512");
}

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512bf16,f16c")
// GCC 12's AVX-512 masked loads and conversions start from undefined
// vectors, which its own uninitialized-use warnings then report.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace {

inline void storeBf16(uint16_t *dst, __mmask16 mask, __m512 v) {
  __m256bh h = _mm512_cvtneps_pbh(v);
  _mm256_mask_storeu_epi16(dst, mask, reinterpret_cast<__m256i &>(h));
}

} // namespace

void ssmrt::roundToBf16(const float *src, int64_t n, uint16_t *dst) {
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 mask = tailMask(n - i);
    storeBf16(dst + i, mask, _mm512_maskz_loadu_ps(mask, src + i));
  }
}

void ssmrt::f16ToBf16(const uint16_t *src, int64_t n, uint16_t *dst) {
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 mask = tailMask(n - i);
    storeBf16(dst + i, mask, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, src + i)));
  }
}

namespace {

/// The int8 values q[i, i + 16) that |mask| selects times their group's
/// scale (16 values never straddle two groups: a group holds a multiple of
/// 16).
inline __m512 scaledInt8(const int8_t *q, const float *scales, int64_t i, int64_t group,
                         __mmask16 mask) {
  __m512 v = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, q + i)));
  return _mm512_mul_ps(v, _mm512_set1_ps(scales[i / group]));
}

} // namespace

void ssmrt::int8RowToBf16(const int8_t *q, const float *scales, int64_t k, int64_t group,
                          uint16_t *dst) {
  for (int64_t i = 0; i < k; i += 16) {
    __mmask16 mask = tailMask(k - i);
    storeBf16(dst + i, mask, scaledInt8(q, scales, i, group, mask));
  }
}

void ssmrt::int8RowToF32(const int8_t *q, const float *scales, int64_t k, int64_t group,
                         float *dst) {
  for (int64_t i = 0; i < k; i += 16) {
    __mmask16 mask = tailMask(k - i);
    _mm512_mask_storeu_ps(dst + i, mask, scaledInt8(q, scales, i, group, mask));
  }
}

#pragma GCC diagnostic pop
#pragma GCC pop_options

bool ssmrt::gemmBf16XWt(const uint16_t *x, int64_t ldx, int64_t rows, const uint16_t *w,
                        int64_t ldw, int64_t n, int64_t k, float *y, int64_t ldy) {
  return gemmXWt(true, x, ldx, rows, w, ldw, n, k, y, ldy);
}

bool ssmrt::gemmF32XWt(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t ldw,
                       int64_t n, int64_t k, float *y, int64_t ldy) {
  return gemmXWt(false, x, ldx, rows, w, ldw, n, k, y, ldy);
}

#else

bool ssmrt::haveBf16Gemm() { return false; }
bool ssmrt::useBf16Gemm() { return false; }
void ssmrt::int8RowToF32(const int8_t *, const float *, int64_t, int64_t, float *) {}
bool ssmrt::haveOneDnnF32Gemm() { return false; }
void ssmrt::roundToBf16(const float *, int64_t, uint16_t *) {}
void ssmrt::f16ToBf16(const uint16_t *, int64_t, uint16_t *) {}
void ssmrt::int8RowToBf16(const int8_t *, const float *, int64_t, int64_t, uint16_t *) {}
bool ssmrt::gemmBf16XWt(const uint16_t *, int64_t, int64_t, const uint16_t *, int64_t, int64_t,
                        int64_t, float *, int64_t) {
  return false;
}
bool ssmrt::gemmF32XWt(const float *, int64_t, int64_t, const float *, int64_t, int64_t, int64_t,
                       float *, int64_t) {
  return false;
}

#endif
