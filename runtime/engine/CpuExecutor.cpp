//===- CpuExecutor.cpp - the program on the CPU ---------------------------===//
#include "runtime/engine/CpuExecutor.h"
#include "runtime/cpu/Blas.h"

#include <algorithm>

using namespace ssmrt;

StatusOr<std::unique_ptr<CpuExecutor>> CpuExecutor::create(const Program &program,
                                                           const WeightStore &weights, int threads,
                                                           int64_t slots, int64_t maxTokens) {
  std::unique_ptr<CpuExecutor> e(new CpuExecutor(program, weights));
  StatusOr<std::unique_ptr<KernelLibrary>> kernels = KernelLibrary::load(program.cpu);
  if (!kernels.ok())
    return kernels.status();
  e->kernels_ = std::move(*kernels);
  e->pool_ = std::make_unique<ThreadPool>(threads > 0 ? threads : defaultThreadCount());
  // The pool parallelizes matrix products itself (CpuFunction::matmul).
  setBlasThreads(1);
  auto forward = CpuFunction::create(program, program.forward, weights, *e->kernels_, *e->pool_,
                                     maxTokens);
  if (!forward.ok())
    return forward.status();
  e->forward_ = std::move(*forward);
  auto decode =
      CpuFunction::create(program, program.decode, weights, *e->kernels_, *e->pool_, slots);
  if (!decode.ok())
    return decode.status();
  e->decode_ = std::move(*decode);
  for (const StateDesc &state : program.states) {
    int64_t size = shapeElements(state.shape);
    e->stateSize_.push_back(size);
    e->states_.emplace_back(size * slots, 0.0f);
    e->scratch_.emplace_back();
  }
  return e;
}

std::string CpuExecutor::describe() const {
  return "cpu, " + std::to_string(pool_->threads()) + " threads";
}

Status CpuExecutor::reset(int64_t slot) {
  for (size_t s = 0; s < states_.size(); ++s)
    std::fill_n(states_[s].begin() + slot * stateSize_[s], stateSize_[s], 0.0f);
  return okStatus();
}

StatusOr<std::vector<float>> CpuExecutor::snapshot(int64_t slot) {
  std::vector<float> out;
  for (size_t s = 0; s < states_.size(); ++s)
    out.insert(out.end(), states_[s].begin() + slot * stateSize_[s],
               states_[s].begin() + (slot + 1) * stateSize_[s]);
  return out;
}

Status CpuExecutor::restore(int64_t slot, const std::vector<float> &state) {
  size_t offset = 0;
  for (size_t s = 0; s < states_.size(); ++s) {
    std::copy_n(state.begin() + offset, stateSize_[s], states_[s].begin() + slot * stateSize_[s]);
    offset += stateSize_[s];
  }
  return okStatus();
}

Status CpuExecutor::run(bool decode, const std::vector<int64_t> &slots, const StepInputs &in) {
  CpuFunction &function = decode ? *decode_ : *forward_;
  const Function &f = decode ? program_.decode : program_.forward;
  int64_t n = static_cast<int64_t>(slots.size());
  bool consecutive = true;
  for (int64_t i = 1; i < n; ++i)
    consecutive &= slots[i] == slots[0] + i;
  CallInputs call;
  call.tokens = in.tokens;
  call.batch = in.batch;
  call.seq = in.seq;
  call.seqLens = in.seqLens;
  call.logitRows = in.logitRows;
  call.logits = in.logits;
  // The states of the batch, contiguous: in place when the slots are
  // consecutive, else gathered and scattered back.
  for (size_t i = 2; i < f.inputs.size(); ++i) {
    int32_t kind = f.values[f.inputs[i]].index;
    int64_t size = stateSize_[kind];
    if (consecutive) {
      call.states.push_back(states_[kind].data() + slots[0] * size);
      continue;
    }
    std::vector<float> &scratch = scratch_[kind];
    scratch.resize(n * size);
    for (int64_t b = 0; b < n; ++b)
      std::copy_n(states_[kind].begin() + slots[b] * size, size, scratch.begin() + b * size);
    call.states.push_back(scratch.data());
  }
  Status status = function.run(call);
  if (!consecutive && status.ok())
    for (size_t i = 2; i < f.inputs.size(); ++i) {
      int32_t kind = f.values[f.inputs[i]].index;
      int64_t size = stateSize_[kind];
      for (int64_t b = 0; b < n; ++b)
        std::copy_n(scratch_[kind].begin() + b * size, size, states_[kind].begin() + slots[b] * size);
    }
  return status;
}
