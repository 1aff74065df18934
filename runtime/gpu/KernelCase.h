//===- KernelCase.h - one kernel of an artifact on inputs of its own -*- C++ -*-===//
//
// For the kernel benchmark and the kernel tests: instantiates one kernel
// instruction of a CUDA function on a batch x seq problem with random
// inputs (activations and states uniform, parameters from the usual
// initialization, weight-only values computed from them), each value in its
// own device allocation, state results updated in place as in the executor.
// Results are poisoned (NaN) before each launch, and compareWithReference()
// checks every element the op defines against the float64 reference
// interpreter run on the same (dtype-rounded) inputs.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_KERNELCASE_H
#define SSMC_RUNTIME_GPU_KERNELCASE_H

#include "runtime/exec/WeightStore.h"
#include "runtime/gpu/GpuDevice.h"

#include <memory>
#include <vector>

namespace ssmrt::gpu {

struct KernelCaseOptions {
  int64_t batch = 1, seq = 1;
  uint64_t seed = 1;
  /// Per-sequence lengths (each in [0, seq]); empty: all seq.
  std::vector<int32_t> seqLens;
  /// Tile parameters to compile the kernel with instead of the artifact's.
  std::vector<TileParam> overrides;
};

class KernelCase {
public:
  /// Instruction |instr| of |function| (a CUDA function of |program|; it
  /// must have a kernel) with parameters from |weights|.
  static StatusOr<std::unique_ptr<KernelCase>> create(const Program &program,
                                                      const Function &function, size_t instr,
                                                      GpuDevice &device, const WeightStore &weights,
                                                      KernelCaseOptions options);
  ~KernelCase();

  /// Restores the inputs (states are updated in place), poisons the
  /// results, and enqueues the kernel once.
  Status reset();
  Status launch();
  /// max over results of ‖got − ref‖₂ / ‖ref‖₂ over the elements the op
  /// defines (steps before each sequence's length); +inf if any is NaN.
  /// Call after reset() and one launch().
  StatusOr<double> compareWithReference();

  const CudaKernelDesc &kernel() const { return kernel_; }
  /// Bytes one launch must move: every operand read once, every result
  /// written once (a state in place counts twice).
  int64_t bytesMoved() const { return bytes_; }

private:
  KernelCase(const Program &program, const Function &function, size_t instr, GpuDevice &device,
             KernelCaseOptions options);
  struct Value {
    int32_t id = -1;
    DevicePtr pointer = 0;
    int64_t ld = 0;             ///< activations: elements per row
    std::vector<int64_t> shape; ///< concrete
    std::vector<float> host;    ///< initial contents (inputs), dtype-rounded
    size_t bytes = 0;
    bool activation = false, ownsMemory = true;
  };
  Status build(const WeightStore &weights);

  const Program &program_;
  const Function &function_;
  const Instr &instr_;
  GpuDevice &device_;
  KernelCaseOptions options_;
  CudaKernelDesc kernel_;
  int handle_ = -1;
  LaunchDims dims_;
  std::vector<Value> operands_, results_;
  DevicePtr workspace_ = 0;
  int64_t bytes_ = 0;
};

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_KERNELCASE_H
