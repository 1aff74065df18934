//===- preamble.cuh - what every emitted CUDA kernel starts with -*- CUDA -*-===//
//
// Types and helpers shared by the kernel families. It uses only what NVRTC
// provides without headers (and what the host emulator of the tests
// provides): 16-bit floats are stored as bit patterns and converted by hand,
// so no cuda_fp16.h / cuda_bf16.h is needed.
//
//===----------------------------------------------------------------------===//
struct ssm_bf16 {
  unsigned short bits;
};
struct ssm_f16 {
  unsigned short bits;
};

__device__ __forceinline__ float ssm_to_float(float v) { return v; }
__device__ __forceinline__ float ssm_to_float(ssm_bf16 v) {
  return __uint_as_float(((unsigned)v.bits) << 16);
}
__device__ __forceinline__ float ssm_to_float(ssm_f16 v) {
  unsigned h = v.bits, sign = (h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0) {
    float f = (float)m * 5.9604644775390625e-8f; // subnormal: m * 2^-24
    return sign ? -f : f;
  }
  if (e == 31)
    return __uint_as_float(sign | 0x7f800000u | (m << 13));
  return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));
}

template <typename T> __device__ __forceinline__ T ssm_from_float(float f);
template <> __device__ __forceinline__ float ssm_from_float<float>(float f) { return f; }
// sm_80+ converts in one instruction (round to nearest even, as below).
template <> __device__ __forceinline__ ssm_bf16 ssm_from_float<ssm_bf16>(float f) {
  ssm_bf16 r;
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r.bits) : "f"(f));
  return r;
#endif
  unsigned u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) {
    r.bits = 0x7fc0; // NaN
  } else {
    u += 0x7fffu + ((u >> 16) & 1u); // round to nearest even
    r.bits = (unsigned short)(u >> 16);
  }
  return r;
}
template <> __device__ __forceinline__ ssm_f16 ssm_from_float<ssm_f16>(float f) {
  ssm_f16 r;
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(r.bits) : "f"(f));
  return r;
#endif
  unsigned u = __float_as_uint(f), sign = (u >> 16) & 0x8000u;
  unsigned a = u & 0x7fffffffu;
  if (a > 0x7f800000u) {
    r.bits = (unsigned short)(sign | 0x7e00u);
  } else if (a >= 0x477ff000u) { // rounds to >= 65520: infinity
    r.bits = (unsigned short)(sign | 0x7c00u);
  } else if (a < 0x38800000u) {
    // Below 2^-14: subnormal or zero.
    float s = __uint_as_float(a) * 16777216.0f; // units of 2^-24
    unsigned m = (unsigned)s;
    float rest = s - (float)m;
    if (rest > 0.5f || (rest == 0.5f && (m & 1u)))
      ++m;
    r.bits = (unsigned short)(sign | m);
  } else {
    unsigned m = a + 0xfffu + ((a >> 13) & 1u) - 0x38000000u; // rebias, round to nearest even
    r.bits = (unsigned short)(sign | (m >> 13));
  }
  return r;
}

// Element i of p as f32, and storing f32 v there in p's type: every load and
// store of a kernel goes through these, so one kernel source serves every
// dtype the emitter configures.
template <typename T> __device__ __forceinline__ float ssm_ld(const T *p, long long i) {
  return ssm_to_float(p[i]);
}
template <typename T> __device__ __forceinline__ void ssm_st(T *p, long long i, float v) {
  p[i] = ssm_from_float<T>(v);
}

// N consecutive floats, aligned so that one vector load reads them (shared
// memory rows of B and C per state tile).
template <int N> struct alignas(N >= 4 ? 16 : 4 * N) ssm_floats {
  float v[N];
};

// The sum of |v| over the block's THREADS threads (a power of two), through
// |red| (THREADS floats of shared memory). Every thread must call it.
template <int THREADS_> __device__ __forceinline__ float ssm_block_sum(float v, float *red) {
  red[threadIdx.x] = v;
  __syncthreads();
  for (int s = THREADS_ / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s)
      red[threadIdx.x] += red[threadIdx.x + s];
    __syncthreads();
  }
  float r = red[0];
  __syncthreads();
  return r;
}

// A barrier across all blocks of a cooperative launch: an arrival counter
// (bar[0], back to zero afterwards) and a generation (bar[1]).
__device__ __forceinline__ void ssm_grid_barrier(unsigned *bar) {
  __syncthreads();
  if (threadIdx.x == 0) {
    volatile unsigned *generation = bar + 1;
    unsigned g = *generation;
    __threadfence();
    if (atomicAdd(bar, 1u) == gridDim.x - 1) {
      atomicExch(bar, 0u);
      __threadfence();
      atomicAdd(bar + 1, 1u);
    } else {
      while (*generation == g)
        __nanosleep(32);
    }
    __threadfence();
  }
  __syncthreads();
}

// -inf (no headers, so no INFINITY): masked scores, empty maxima.
__device__ __forceinline__ float ssm_neg_inf() { return __uint_as_float(0xff800000u); }

__device__ __forceinline__ float ssm_silu(float x) { return x / (1.0f + __expf(-x)); }
// torch's softplus: the input itself above the threshold 20.
__device__ __forceinline__ float ssm_softplus(float x) { return x > 20.0f ? x : log1pf(__expf(x)); }

// Tensor cores (sm_80+): one warp's d += A·B, A 16×16 row-major and B 16×8
// column-major in T (ssm_bf16 or ssm_f16), f32 accumulation. Fragments as
// the PTX ISA lays them out for mma.m16n8k16: lane 4g + t holds A's rows g
// and g + 8 at columns 2t, 2t + 1, 2t + 8, 2t + 9; B's column g at rows
// 2t, 2t + 1, 2t + 8, 2t + 9; d's rows g and g + 8 at columns 2t, 2t + 1
// (d[0], d[1] in row g). Every lane of the warp must take part. The host
// emulator provides the instruction as ssmc_emu_mma_m16n8k16.
template <typename T>
__device__ __forceinline__ void ssm_mma16816(float d[4], const unsigned a[4], const unsigned b[2]);
template <>
__device__ __forceinline__ void ssm_mma16816<ssm_bf16>(float d[4], const unsigned a[4],
                                                       const unsigned b[2]) {
#ifdef __CUDA_ARCH__
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
               "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
  ssmc_emu_mma_m16n8k16(d, a, b, true);
#endif
}
template <>
__device__ __forceinline__ void ssm_mma16816<ssm_f16>(float d[4], const unsigned a[4],
                                                      const unsigned b[2]) {
#ifdef __CUDA_ARCH__
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
               "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
  ssmc_emu_mma_m16n8k16(d, a, b, false);
#endif
}

// Two 16-bit values, p[0] in the low half and p[stride] in the high one.
__device__ __forceinline__ unsigned ssm_pair(const unsigned short *p, int stride) {
  return (unsigned)p[0] | ((unsigned)p[stride] << 16);
}
// This lane's A fragment of the 16×16 tile whose element (r, k) is
// p[r * rs + k * ks], and its B fragment of the 16×8 tile whose element
// (k, n) is p[k * ks + n * ns] (1-D blocks: the lane is threadIdx.x % 32).
__device__ __forceinline__ void ssm_mma_a(unsigned a[4], const unsigned short *p, int rs, int ks) {
  const int g = (threadIdx.x % 32) / 4, t = threadIdx.x % 4;
  a[0] = ssm_pair(p + g * rs + 2 * t * ks, ks);
  a[1] = ssm_pair(p + (g + 8) * rs + 2 * t * ks, ks);
  a[2] = ssm_pair(p + g * rs + (2 * t + 8) * ks, ks);
  a[3] = ssm_pair(p + (g + 8) * rs + (2 * t + 8) * ks, ks);
}
__device__ __forceinline__ void ssm_mma_b(unsigned b[2], const unsigned short *p, int ks, int ns) {
  const int g = (threadIdx.x % 32) / 4, t = threadIdx.x % 4;
  b[0] = ssm_pair(p + 2 * t * ks + g * ns, ks);
  b[1] = ssm_pair(p + (2 * t + 8) * ks + g * ns, ks);
}
// d += A·B for A 16×K, element (r, k) at a[r * rs + k * ks], and B K×8,
// element (k, n) at b[k * bks + n * bns]; K a multiple of 16.
template <typename T>
__device__ __forceinline__ void ssm_mma_tile(float d[4], const unsigned short *a, int rs, int ks,
                                             const unsigned short *b, int bks, int bns, int K) {
  for (int k = 0; k < K; k += 16) {
    unsigned fa[4], fb[2];
    ssm_mma_a(fa, a + k * ks, rs, ks);
    ssm_mma_b(fb, b + k * bks, bks, bns);
    ssm_mma16816<T>(d, fa, fb);
  }
}
// The row and column of accumulator element i (0..3) of this lane in a
// 16×8 tile.
__device__ __forceinline__ int ssm_mma_row(int i) { return (threadIdx.x % 32) / 4 + 8 * (i / 2); }
__device__ __forceinline__ int ssm_mma_col(int i) { return 2 * (threadIdx.x % 4) + i % 2; }
