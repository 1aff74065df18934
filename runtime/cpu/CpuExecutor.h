//===- CpuExecutor.h - the program on the CPU -------------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CPU_CPUEXECUTOR_H
#define SSMC_RUNTIME_CPU_CPUEXECUTOR_H

#include "runtime/cpu/CpuFunction.h"
#include "runtime/exec/Executor.h"

namespace ssmrt {

class CpuExecutor final : public Executor {
public:
  /// The artifact's native code, a pool of |threads| threads (0: all
  /// cores), and |slots| sequences of state in host memory; @forward takes
  /// up to |maxTokens| token rows per call. Matrix products read their
  /// weights as |productWeights|.
  static StatusOr<std::unique_ptr<CpuExecutor>>
  create(const Program &program, const WeightStore &weights, int threads, int64_t slots,
         int64_t maxTokens, ProductWeights productWeights = ProductWeights::F32);

  std::string describe() const override;
  int64_t vocabSize() const override { return forward_->vocabSize(); }
  /// Every parameter once, in the dtype decode's products read it in (f32
  /// for the rest).
  int64_t weightBytes() const override;
  /// Whether prefill's matrix products run in bf16 (16-bit or int8
  /// weights where OneDnnGemm's bf16 products run).
  bool bf16Products() const;
  Status run(bool decode, const std::vector<int64_t> &slots, const StepInputs &in) override;

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
  /// The current call's state addresses and inputs (reused: no allocation
  /// per call).
  std::vector<uint64_t> stateAddresses_;
  CallInputs call_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_CPUEXECUTOR_H
