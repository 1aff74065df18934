//===- ssmc_cuda_emu.h - our kernels' CUDA subset as host C++17 --*- C++
//-*-===//
//
// EmulatedKernel::compile force-includes this header (g++ -include) in front
// of an emitted kernel, so that the host compiler accepts the CUDA subset the
// emitter uses (docs/artifact.md, "CUDA kernels"): the qualifiers, the thread
// coordinates, __syncthreads and fences, integer and float atomics, bit casts
// and the float math intrinsics, and one tensor-core instruction
// (ssmc_emu_mma_m16n8k16, what the preamble's ssm_mma16816 issues as PTX on a
// GPU), and the full-warp __syncwarp and __shfl_xor_sync. Anything else
// (partial-warp masks, other shuffles, votes, dynamic shared memory, texture
// reads) fails to compile, as it should.
//
// __shared__ is `static`: the launcher runs the blocks of a normal launch
// one after another, so a kernel's statics are the running block's shared
// memory. Cooperative launches run all blocks at once and therefore refuse
// kernels that use __shared__.
//
// __syncthreads, __nanosleep and every atomic are cancellation points: when
// the launcher's watchdog fires they unwind the kernel with an exception.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_CUDAEMU_SSMC_CUDA_EMU_H
#define SSMC_TEST_CUDAEMU_SSMC_CUDA_EMU_H

#include "EmuThread.h"

#include <math.h>
#include <stdio.h>

//===----------------------------------------------------------------------===//
// Qualifiers (__restrict__ is a GNU keyword already)
//===----------------------------------------------------------------------===//

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __shared__ static

//===----------------------------------------------------------------------===//
// Thread coordinates, set by ssmc_emu_enter in every emulated thread
//===----------------------------------------------------------------------===//

struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x = 1, unsigned y = 1, unsigned z = 1) : x(x), y(y), z(z) {}
};

inline thread_local uint3 threadIdx, blockIdx;
inline thread_local dim3 blockDim, gridDim;
inline thread_local const ssmc_emu_thread *ssmc_emu_self;

inline void ssmc_emu_enter(const ssmc_emu_thread *t) {
  ssmc_emu_self = t;
  threadIdx = {t->threadIdx[0], t->threadIdx[1], t->threadIdx[2]};
  blockIdx = {t->blockIdx[0], t->blockIdx[1], t->blockIdx[2]};
  blockDim = dim3(t->blockDim[0], t->blockDim[1], t->blockDim[2]);
  gridDim = dim3(t->gridDim[0], t->gridDim[1], t->gridDim[2]);
}

//===----------------------------------------------------------------------===//
// Synchronization
//===----------------------------------------------------------------------===//

inline void ssmc_emu_poll(int yield) { ssmc_emu_self->poll(ssmc_emu_self->context, yield); }
inline void __syncthreads() { ssmc_emu_self->syncthreads(ssmc_emu_self->context); }
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
// Kernels sleep in spin loops (grid barriers): give the CPU to the thread
// they wait for.
inline void __nanosleep(unsigned) { ssmc_emu_poll(1); }

//===----------------------------------------------------------------------===//
// Atomics (sequentially consistent: stronger than CUDA's relaxed ones)
//===----------------------------------------------------------------------===//

template <typename T> inline T ssmc_emu_atomic_add(T *p, T v) {
  ssmc_emu_poll(0);
  return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
template <typename T> inline T ssmc_emu_atomic_sub(T *p, T v) {
  ssmc_emu_poll(0);
  return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST);
}
template <typename T> inline T ssmc_emu_atomic_exch(T *p, T v) {
  ssmc_emu_poll(0);
  T old;
  __atomic_exchange(p, &v, &old, __ATOMIC_SEQ_CST);
  return old;
}
template <typename T> inline T ssmc_emu_atomic_cas(T *p, T expected, T v) {
  ssmc_emu_poll(0);
  __atomic_compare_exchange(p, &expected, &v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected; // the old value either way
}
/// Applies old -> op(old, v) with a compare-and-swap loop (over the bits, so
/// a NaN does not loop forever); returns the old value.
template <typename T, typename Op> inline T ssmc_emu_atomic_update(T *p, T v, Op op) {
  ssmc_emu_poll(0);
  T old;
  __atomic_load(p, &old, __ATOMIC_SEQ_CST);
  T desired = op(old, v);
  while (!__atomic_compare_exchange(p, &old, &desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    desired = op(old, v);
  return old;
}
template <typename T> inline T ssmc_emu_atomic_max(T *p, T v) {
  return ssmc_emu_atomic_update(p, v, [](T a, T b) { return a < b ? b : a; });
}
template <typename T> inline T ssmc_emu_atomic_min(T *p, T v) {
  return ssmc_emu_atomic_update(p, v, [](T a, T b) { return b < a ? b : a; });
}

inline int atomicAdd(int *p, int v) { return ssmc_emu_atomic_add(p, v); }
inline unsigned atomicAdd(unsigned *p, unsigned v) { return ssmc_emu_atomic_add(p, v); }
inline unsigned long long atomicAdd(unsigned long long *p, unsigned long long v) {
  return ssmc_emu_atomic_add(p, v);
}
inline float atomicAdd(float *p, float v) {
  return ssmc_emu_atomic_update(p, v, [](float a, float b) { return a + b; });
}
inline int atomicSub(int *p, int v) { return ssmc_emu_atomic_sub(p, v); }
inline unsigned atomicSub(unsigned *p, unsigned v) { return ssmc_emu_atomic_sub(p, v); }
inline int atomicExch(int *p, int v) { return ssmc_emu_atomic_exch(p, v); }
inline unsigned atomicExch(unsigned *p, unsigned v) { return ssmc_emu_atomic_exch(p, v); }
inline unsigned long long atomicExch(unsigned long long *p, unsigned long long v) {
  return ssmc_emu_atomic_exch(p, v);
}
inline float atomicExch(float *p, float v) { return ssmc_emu_atomic_exch(p, v); }
inline int atomicCAS(int *p, int expected, int v) { return ssmc_emu_atomic_cas(p, expected, v); }
inline unsigned atomicCAS(unsigned *p, unsigned expected, unsigned v) {
  return ssmc_emu_atomic_cas(p, expected, v);
}
inline unsigned long long atomicCAS(unsigned long long *p, unsigned long long expected,
                                    unsigned long long v) {
  return ssmc_emu_atomic_cas(p, expected, v);
}
inline int atomicMax(int *p, int v) { return ssmc_emu_atomic_max(p, v); }
inline unsigned atomicMax(unsigned *p, unsigned v) { return ssmc_emu_atomic_max(p, v); }
inline int atomicMin(int *p, int v) { return ssmc_emu_atomic_min(p, v); }
inline unsigned atomicMin(unsigned *p, unsigned v) { return ssmc_emu_atomic_min(p, v); }

//===----------------------------------------------------------------------===//
// Bit casts, loads, integer helpers
//===----------------------------------------------------------------------===//

inline float __uint_as_float(unsigned u) {
  float f;
  __builtin_memcpy(&f, &u, sizeof f);
  return f;
}
inline float __int_as_float(int i) {
  float f;
  __builtin_memcpy(&f, &i, sizeof f);
  return f;
}
inline unsigned __float_as_uint(float f) {
  unsigned u;
  __builtin_memcpy(&u, &f, sizeof u);
  return u;
}
inline int __float_as_int(float f) {
  int i;
  __builtin_memcpy(&i, &f, sizeof i);
  return i;
}

template <typename T> inline T __ldg(const T *p) { return *p; }
template <typename T> inline T __ldcg(const T *p) { return *p; }

// CUDA's min/max for same-typed operands (it also has mixed signed/unsigned
// overloads, which kernels here do not use).
inline int min(int a, int b) { return b < a ? b : a; }
inline int max(int a, int b) { return a < b ? b : a; }
inline unsigned min(unsigned a, unsigned b) { return b < a ? b : a; }
inline unsigned max(unsigned a, unsigned b) { return a < b ? b : a; }
inline long long min(long long a, long long b) { return b < a ? b : a; }
inline long long max(long long a, long long b) { return a < b ? b : a; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }

//===----------------------------------------------------------------------===//
// Float intrinsics (the rest of CUDA's float math is <math.h>'s)
//===----------------------------------------------------------------------===//

inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __fdividef(float x, float y) { return x / y; }
inline float __saturatef(float x) { return fminf(fmaxf(x, 0.0f), 1.0f); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }

//===----------------------------------------------------------------------===//
// Warp collectives (full warps only: every lane must call them)
//===----------------------------------------------------------------------===//

inline void __syncwarp(unsigned mask = 0xffffffffu) {
  unsigned all[32];
  if (mask != 0xffffffffu) {
    fprintf(stderr, "ssmc_cuda_emu: __syncwarp with a partial mask\n");
    __builtin_trap();
  }
  ssmc_emu_self->warp_exchange(ssmc_emu_self->context, &mask, all, sizeof mask);
}
template <typename T> inline T ssmc_emu_shfl_xor(unsigned mask, T v, int laneMask) {
  static_assert(sizeof(T) == 4, "32-bit shuffles");
  if (mask != 0xffffffffu) {
    fprintf(stderr, "ssmc_cuda_emu: a shuffle with a partial mask\n");
    __builtin_trap();
  }
  T all[32];
  ssmc_emu_self->warp_exchange(ssmc_emu_self->context, &v, all, sizeof v);
  const unsigned lane = ((threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x) % 32;
  return all[(lane ^ (unsigned)laneMask) % 32];
}
inline float __shfl_xor_sync(unsigned mask, float v, int laneMask) {
  return ssmc_emu_shfl_xor(mask, v, laneMask);
}
inline int __shfl_xor_sync(unsigned mask, int v, int laneMask) {
  return ssmc_emu_shfl_xor(mask, v, laneMask);
}
inline unsigned __shfl_xor_sync(unsigned mask, unsigned v, int laneMask) {
  return ssmc_emu_shfl_xor(mask, v, laneMask);
}

//===----------------------------------------------------------------------===//
// Tensor cores
//===----------------------------------------------------------------------===//

/// A 16-bit float's bits as f32: bfloat16, or IEEE half when !|bf16|.
inline float ssmc_emu_half_to_float(unsigned short h, bool bf16) {
  if (bf16)
    return __uint_as_float((unsigned)h << 16);
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float mag = e == 0    ? ldexpf((float)m, -24)
              : e == 31 ? (m ? NAN : INFINITY)
                        : ldexpf((float)(m | 0x400), e - 25);
  return (h & 0x8000) ? -mag : mag;
}

/// mma.sync.aligned.m16n8k16.row.col.f32.{bf16,f16}.{bf16,f16}.f32 with
/// D = C = |d|, as the PTX ISA lays out its fragments ("Matrix Fragments for
/// mma.m16n8k16 with floating point type"): lane 4g + t holds A[g][2t, 2t+1],
/// A[g+8][2t, 2t+1], A[g][2t+8, 2t+9], A[g+8][2t+8, 2t+9] in a[0..3],
/// B[2t, 2t+1][g] and B[2t+8, 2t+9][g] in b[0..1] (the lower index in the low
/// half), and D[g][2t], D[g][2t+1], D[g+8][2t], D[g+8][2t+1] in d[0..3].
/// Every lane of the warp must call it (the lanes trade their fragments);
/// products and sums are in f32.
inline void ssmc_emu_mma_m16n8k16(float d[4], const unsigned a[4], const unsigned b[2], bool bf16) {
  struct Fragments {
    unsigned a[4], b[2];
  } mine = {{a[0], a[1], a[2], a[3]}, {b[0], b[1]}}, all[32];
  ssmc_emu_self->warp_exchange(ssmc_emu_self->context, &mine, all, sizeof mine);
  float A[16][16], B[16][8];
  for (int lane = 0; lane < 32; ++lane) {
    const int g = lane / 4, t = lane % 4;
    const Fragments &f = all[lane];
    for (int half = 0; half < 2; ++half) {
      auto value = [&](unsigned reg) {
        return ssmc_emu_half_to_float((unsigned short)(reg >> (16 * half)), bf16);
      };
      A[g][2 * t + half] = value(f.a[0]);
      A[g + 8][2 * t + half] = value(f.a[1]);
      A[g][2 * t + 8 + half] = value(f.a[2]);
      A[g + 8][2 * t + 8 + half] = value(f.a[3]);
      B[2 * t + half][g] = value(f.b[0]);
      B[2 * t + 8 + half][g] = value(f.b[1]);
    }
  }
  const unsigned lane = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  const int g = (lane % 32) / 4, t = lane % 4;
  for (int i = 0; i < 4; ++i) {
    const int row = g + 8 * (i / 2), col = 2 * t + i % 2;
    float sum = d[i];
    for (int k = 0; k < 16; ++k)
      sum += A[row][k] * B[k][col];
    d[i] = sum;
  }
}

#endif // SSMC_TEST_CUDAEMU_SSMC_CUDA_EMU_H
