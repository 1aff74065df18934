//===- EmuThread.h - what the launcher hands each emulated thread -*- C++
//-*-===//
//
// The one structure shared by the launcher (CudaEmulator.cpp) and a kernel's
// shared object (compiled with ssmc_cuda_emu.h). Both sides are built from
// this header, so it has no version field.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_CUDAEMU_EMUTHREAD_H
#define SSMC_TEST_CUDAEMU_EMUTHREAD_H

extern "C" {

/// One emulated CUDA thread: its coordinates and the launcher's callbacks.
/// Each callback takes |context| and may unwind the kernel with a C++
/// exception when the launch is cancelled (see CudaEmulator.h).
struct ssmc_emu_thread {
  unsigned threadIdx[3], blockIdx[3], blockDim[3], gridDim[3];
  void *context;
  /// __syncthreads(): waits for the other live threads of the block.
  void (*syncthreads)(void *context);
  /// A cancellation point; also gives up the CPU when |yield| is nonzero.
  void (*poll)(void *context, int yield);
  /// Warp-collective instructions: each live thread of the warp puts
  /// |bytes| (at most kEmuWarpBytes) from |mine|; once all have, each gets
  /// the warp's 32 contributions in lane order in |all| (32 x |bytes|). The
  /// slots of lanes that have returned or do not exist hold stale bytes.
  void (*warp_exchange)(void *context, const void *mine, void *all, unsigned bytes);
};

enum { kEmuWarpBytes = 64 };

/// The entry the emulator adds to every kernel's translation unit: sets the
/// thread's coordinates from |thread| and calls the kernel with |args|
/// (args[i] points at the value of parameter i).
typedef void (*ssmc_emu_call_fn)(const ssmc_emu_thread *thread, void **args);

} // extern "C"

#endif // SSMC_TEST_CUDAEMU_EMUTHREAD_H
