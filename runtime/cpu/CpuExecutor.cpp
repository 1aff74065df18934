//===- CpuExecutor.cpp - the program on the CPU ---------------------------===//
#include "runtime/cpu/CpuExecutor.h"
#include "runtime/cpu/Blas.h"
#include "runtime/cpu/OneDnnGemm.h"
#include "runtime/cpu/SmallGemm.h"

using namespace ssmrt;

StatusOr<std::unique_ptr<CpuExecutor>> CpuExecutor::create(const Program &program,
                                                           const WeightStore &weights, int threads,
                                                           int64_t slots, int64_t maxTokens,
                                                           ProductWeights productWeights) {
  std::unique_ptr<CpuExecutor> e(new CpuExecutor(program, weights));
  StatusOr<std::unique_ptr<KernelLibrary>> kernels = KernelLibrary::load(program.cpu);
  if (!kernels.ok())
    return kernels.status();
  e->kernels_ = std::move(*kernels);
  StatusOr<int> count = threadCount(threads);
  if (!count.ok())
    return count.status();
  e->pool_ = std::make_unique<ThreadPool>(*count);
  // The pool parallelizes matrix products itself (CpuFunction::matmul).
  setBlasThreads(1);
  auto forward = CpuFunction::create(program, program.forward, weights, *e->kernels_, *e->pool_,
                                     maxTokens, productWeights);
  if (!forward.ok())
    return forward.status();
  e->forward_ = std::move(*forward);
  auto decode = CpuFunction::create(program, program.decode, weights, *e->kernels_, *e->pool_,
                                    slots, productWeights);
  if (!decode.ok())
    return decode.status();
  e->decode_ = std::move(*decode);
  auto states = StateStore::create(program, slots, std::make_unique<HostStateMemory>());
  if (!states.ok())
    return states.status();
  e->states_ = std::move(*states);
  return e;
}

int64_t CpuExecutor::weightBytes() const {
  double bytes = 0;
  for (size_t i = 0; i < weights_.numParams(); ++i)
    bytes += weights_.stored(i).elements * decode_->productBytesPerValue(i);
  return static_cast<int64_t>(bytes);
}

bool CpuExecutor::bf16Products() const {
  if (!useBf16Gemm())
    return false;
  for (size_t i = 0; i < weights_.numParams(); ++i)
    if (forward_->productBytesPerValue(i) < 4)
      return true;
  return false;
}

std::string CpuExecutor::describe() const {
  return "CPU, " + std::to_string(pool_->threads()) + " threads, " +
         std::to_string(program_.cpu.vectorWidth) + "-lane kernels, " + smallGemmVariant().name +
         " products" + (useBf16Gemm() ? ", bf16 prefill products for 16-bit and int8 weights" : "");
}

Status CpuExecutor::run(bool decode, const std::vector<int64_t> &slots, const StepInputs &in) {
  const Function &f = decode ? program_.decode : program_.forward;
  SSMRT_RETURN_IF_ERROR(states_->gather(f, slots, stateAddresses_));
  call_.tokens = in.tokens;
  call_.batch = in.batch;
  call_.seq = in.seq;
  call_.seqLens = in.seqLens;
  call_.states = &stateAddresses_;
  call_.slots = &slots;
  call_.kvCaches = &states_->kvCaches();
  call_.logitRows = in.logitRows;
  call_.logits = in.logits;
  SSMRT_RETURN_IF_ERROR((decode ? *decode_ : *forward_).run(call_));
  return states_->scatter(f, slots);
}
