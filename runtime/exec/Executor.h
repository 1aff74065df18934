//===- Executor.h - a device that runs a program's functions ----*- C++ -*-===//
//
// What a Session drives: @forward and @decode on one device, and the
// recurrent state of every sequence slot, kept (in a StateStore) where that
// device reads it. CpuExecutor (host memory, native kernels) and
// gpu::GpuExecutor (device memory, CUDA kernels) implement it.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_EXEC_EXECUTOR_H
#define SSMC_RUNTIME_EXEC_EXECUTOR_H

#include "runtime/Status.h"
#include "runtime/exec/StateStore.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt {

/// One call on a batch of sequences, in host memory.
struct StepInputs {
  const int32_t *tokens = nullptr; ///< [batch, seq], row-major
  int64_t batch = 0, seq = 0;
  const int32_t *seqLens = nullptr; ///< [batch]; each in [0, seq]
  /// Token rows (b * seq + t) whose logits to compute, into |logits|
  /// ([rows.size(), vocab] floats).
  const std::vector<int64_t> *logitRows = nullptr;
  float *logits = nullptr;
};

class Executor {
public:
  virtual ~Executor() = default;
  /// "cpu, 8 threads" or the GPU's description.
  virtual std::string describe() const = 0;
  virtual int64_t vocabSize() const = 0;
  /// Bytes of weights a decode step reads, in the dtypes this device uses.
  virtual int64_t weightBytes() const = 0;
  /// Runs @forward (|decode| false) or @decode for the sequences in |slots|
  /// (distinct, valid), updating their states.
  virtual Status run(bool decode, const std::vector<int64_t> &slots, const StepInputs &in) = 0;

  /// Floats of state per sequence, by state (Program::states).
  const std::vector<int64_t> &stateSizes() const { return states_->sizes(); }
  Status reset(int64_t slot) { return states_->reset(slot); }
  /// A slot's state, all states concatenated, and writing it back.
  StatusOr<std::vector<float>> snapshot(int64_t slot) { return states_->snapshot(slot); }
  Status restore(int64_t slot, const std::vector<float> &state) {
    return states_->restore(slot, state);
  }

protected:
  std::unique_ptr<StateStore> states_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_EXECUTOR_H
