//===- ssmc_cuda_emu.h - our kernels' CUDA subset as host C++17 --*- C++
//-*-===//
//
// EmulatedKernel::compile force-includes this header (g++ -include) in front
// of an emitted kernel, so that the host compiler accepts the CUDA subset the
// emitter uses (docs/artifact.md, "CUDA kernels"): the qualifiers, the thread
// coordinates, __syncthreads and fences, integer and float atomics, bit casts
// and the float math intrinsics. Anything else (warp functions, dynamic
// shared memory, texture reads) fails to compile, as it should.
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

#endif // SSMC_TEST_CUDAEMU_SSMC_CUDA_EMU_H
