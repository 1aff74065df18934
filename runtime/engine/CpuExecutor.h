//===- CpuExecutor.h - the program on the CPU -------------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_ENGINE_CPUEXECUTOR_H
#define SSMC_RUNTIME_ENGINE_CPUEXECUTOR_H

#include "runtime/cpu/CpuFunction.h"
#include "runtime/engine/Executor.h"

namespace ssmrt {

class CpuExecutor final : public Executor {
public:
  /// The artifact's native code, a pool of |threads| threads (0: all
  /// cores), and |slots| sequences of state in host memory; @forward takes
  /// up to |maxTokens| token rows per call.
  static StatusOr<std::unique_ptr<CpuExecutor>> create(const Program &program,
                                                       const WeightStore &weights, int threads,
                                                       int64_t slots, int64_t maxTokens);

  std::string describe() const override;
  int64_t vocabSize() const override { return forward_->vocabSize(); }
  int64_t weightBytes() const override { return weights_.totalBytes(); }
  Status run(bool decode, const std::vector<int64_t> &slots, const StepInputs &in) override;
  const std::vector<int64_t> &stateSizes() const override { return stateSize_; }
  Status reset(int64_t slot) override;
  StatusOr<std::vector<float>> snapshot(int64_t slot) override;
  Status restore(int64_t slot, const std::vector<float> &state) override;

  ThreadPool &threadPool() { return *pool_; }
  CpuFunction &prefillFunction() { return *forward_; }
  CpuFunction &decodeFunction() { return *decode_; }

private:
  CpuExecutor(const Program &program, const WeightStore &weights)
      : program_(program), weights_(weights) {}

  const Program &program_;
  const WeightStore &weights_;
  std::unique_ptr<KernelLibrary> kernels_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<CpuFunction> forward_, decode_;
  /// Per state slot kind (program.states): [slots, per-sequence floats].
  std::vector<std::vector<float>> states_;
  std::vector<int64_t> stateSize_;
  std::vector<std::vector<float>> scratch_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_ENGINE_CPUEXECUTOR_H
