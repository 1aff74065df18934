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
template <> __device__ __forceinline__ ssm_bf16 ssm_from_float<ssm_bf16>(float f) {
  unsigned u = __float_as_uint(f);
  ssm_bf16 r;
  if ((u & 0x7fffffffu) > 0x7f800000u) {
    r.bits = 0x7fc0; // NaN
  } else {
    u += 0x7fffu + ((u >> 16) & 1u); // round to nearest even
    r.bits = (unsigned short)(u >> 16);
  }
  return r;
}
template <> __device__ __forceinline__ ssm_f16 ssm_from_float<ssm_f16>(float f) {
  unsigned u = __float_as_uint(f), sign = (u >> 16) & 0x8000u;
  unsigned a = u & 0x7fffffffu;
  ssm_f16 r;
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

__device__ __forceinline__ float ssm_silu(float x) { return x / (1.0f + __expf(-x)); }
// torch's softplus: the input itself above the threshold 20.
__device__ __forceinline__ float ssm_softplus(float x) { return x > 20.0f ? x : log1pf(__expf(x)); }
