//===- GridRunner.h - CUDA threads as host threads --------------*- C++ -*-===//
//
// Runs an emulated kernel's entry over a grid: one std::thread per CUDA
// thread of a block. A normal launch runs the blocks one after another (the
// same threads step through them, so a kernel's statics serve as the running
// block's shared memory); a cooperative launch runs the threads of all blocks
// at once.
//
// __syncthreads is a barrier over the block's threads that have not returned
// (as on current GPUs, a thread that returns no longer holds the others up).
// Each warp (32 consecutive threads of the block) has a barrier of its own
// for warp-collective instructions (ssmc_emu_thread::warp_exchange).
//
// A watchdog cancels a launch that runs past its timeout: __syncthreads,
// __nanosleep and the atomics of the cancelled kernel unwind it with a C++
// exception, and the launch fails. A thread that spins without reaching any
// of them cannot be stopped; when threads are still running 10 s after the
// cancellation, the process prints why and aborts (returning would let them
// write into buffers the caller is about to free).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_CUDAEMU_GRIDRUNNER_H
#define SSMC_TEST_CUDAEMU_GRIDRUNNER_H

#include "EmuThread.h"
#include "runtime/Status.h"

#include <chrono>
#include <cstdint>

namespace ssmc::cudaemu {

/// A grid or block extent, like CUDA's dim3.
struct Dim3 {
  Dim3(unsigned x = 1, unsigned y = 1, unsigned z = 1) : x(x), y(y), z(z) {}
  uint64_t count() const { return uint64_t(x) * y * z; }
  unsigned x, y, z;
};

/// The most threads a cooperative launch may have (each is a host thread).
constexpr uint64_t kMaxCooperativeThreads = 4096;

/// Runs |call| with |args| in every thread of |grid| x |block|. Fails on
/// extents CUDA rejects (an empty one, more than 1024 threads per block, a
/// grid y or z above 65535), on a cooperative grid of more than
/// kMaxCooperativeThreads threads, when the threads cannot be created, and
/// when the launch takes longer than |timeout|.
ssmrt::Status runGrid(ssmc_emu_call_fn call, void **args, Dim3 grid, Dim3 block, bool cooperative,
                      std::chrono::milliseconds timeout);

} // namespace ssmc::cudaemu

#endif // SSMC_TEST_CUDAEMU_GRIDRUNNER_H
