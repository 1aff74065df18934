//===- GpuTuner.h - measures CUDA kernel tile configurations ----*- C++ -*-===//
//
// `ssmc tune --device cuda`: each CUDA kernel of a program runs its first
// instruction (in @forward at batch x prompt-len tokens, else in @decode at
// one token per sequence) on random inputs with each candidate tile
// configuration: it must compile, load and match the float64 reference
// within its dtype's tolerance (else it is recorded as rejected), and is
// then timed on the device (events; median of several launches). Small
// spaces are measured exhaustively, larger ones by a hill climb that moves
// one parameter at a time. The candidates, with the kernel family's
// validity rules applied, come from the compiler (codegen/cuda/
// CUDATileSpace.h). The runtime applies what the database chose when it
// loads the kernels (tunedTiles).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_GPUTUNER_H
#define SSMC_RUNTIME_GPU_GPUTUNER_H

#include "runtime/exec/WeightStore.h"
#include "runtime/gpu/GpuDevice.h"
#include "runtime/tuning/TuningDb.h"

#include <functional>
#include <string>
#include <vector>

namespace ssmrt::gpu {

/// What the database keys CUDA kernel |kernel| of a program in |dtype| by:
/// its name (the op and a hash of its operand types, attributes and
/// compiled tiles) and the dtype.
std::string cudaKernelSignature(const CudaKernelDesc &kernel, ValueType dtype);

/// The candidates of one kernel (by index in program.cuda.kernels), the
/// compiled configuration first.
struct GpuKernelSpace {
  size_t kernel = 0;
  std::vector<TuneConfig> candidates;
};

/// Every kernel's tuning space as the artifact records it (its kernels'
/// `tune_space`, which the compiler fills with what each family's rules
/// allow: codegen/cuda/CUDATileSpace.h).
std::vector<GpuKernelSpace> artifactSpaces(const Program &program);

struct GpuTuneOptions {
  int64_t batch = 1, promptLen = 512;
  uint64_t seed = 1;
  double budgetSeconds = 300;
  /// Spaces up to this size are measured exhaustively, larger ones searched.
  size_t exhaustiveLimit = 32;
  /// Told of each kernel and configuration as it starts.
  std::function<void(const std::string &what, int64_t done, int64_t total)> progress;
  /// Receives each kernel's records when it is done (to append them).
  std::function<Status(const std::vector<TuningRecord> &)> record;
};

struct GpuTuneResult {
  std::vector<KernelTuneResult> kernels;
  bool outOfBudget = false;
};

StatusOr<GpuTuneResult> tuneGpuKernels(const Program &program, GpuDevice &device,
                                       const WeightStore &weights,
                                       const std::vector<GpuKernelSpace> &spaces,
                                       const GpuTuneOptions &options);

/// Per kernel of |program|, the tiles |db| chose for it on this device
/// (empty: the compiled ones), and how many kernels got a choice.
std::vector<std::vector<TileParam>> tunedTiles(const Program &program, const TuningDb &db,
                                               int &tuned);

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_GPUTUNER_H
