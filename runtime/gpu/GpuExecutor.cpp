//===- GpuExecutor.cpp - the program on a GPU -----------------------------===//
#include "runtime/gpu/GpuExecutor.h"

#include <cstdio>

using namespace ssmrt;
using namespace ssmrt::gpu;

StatusOr<DevicePtr> GpuExecutor::alloc(size_t bytes, const std::string &what) {
  StatusOr<DevicePtr> p = device_->allocate(bytes, what);
  if (p.ok())
    owned_.push_back(*p);
  return p;
}

StatusOr<std::unique_ptr<GpuExecutor>> GpuExecutor::create(const Program &program,
                                                           const WeightStore &weights,
                                                           std::unique_ptr<GpuDevice> device,
                                                           GpuExecutorOptions options) {
  if (!program.cuda.present())
    return Status::error("the artifact has no CUDA code (compile it with --target cuda:sm_XX)");
  std::unique_ptr<GpuExecutor> e(new GpuExecutor(program, std::move(device), options));
  GpuDevice &dev = *e->device_;
  std::vector<int> kernels;
  for (const CudaKernelDesc &k : program.cuda.kernels) {
    StatusOr<int> handle = dev.loadKernel(k);
    if (!handle.ok())
      return handle.status();
    kernels.push_back(*handle);
  }
  auto uploaded =
      GpuWeights::upload(program, {&program.cuda.forward, &program.cuda.decode}, weights, dev);
  if (!uploaded.ok())
    return uploaded.status();
  e->weights_ = std::move(*uploaded);
  auto forward = GpuFunction::create(program, program.cuda.forward, dev, *e->weights_, kernels,
                                     options.maxTokens, options.slots);
  if (!forward.ok())
    return forward.status();
  e->forward_ = std::move(*forward);
  auto decode = GpuFunction::create(program, program.cuda.decode, dev, *e->weights_, kernels,
                                    options.slots, options.slots);
  if (!decode.ok())
    return decode.status();
  e->decode_ = std::move(*decode);

  auto tokens = e->alloc(options.maxTokens * sizeof(int32_t), "token ids");
  auto lens = e->alloc(options.slots * sizeof(int32_t), "sequence lengths");
  auto logits = e->alloc(options.slots * e->vocabSize() * sizeof(float), "decode logits");
  for (auto *p : {&tokens, &lens, &logits})
    if (!p->ok())
      return p->status();
  e->tokens_ = *tokens;
  e->lens_ = *lens;
  e->decodeLogits_ = *logits;
  e->decodeLogitRows_ = options.slots;
  for (const StateDesc &state : program.states) {
    int64_t size = shapeElements(state.shape);
    e->stateSize_.push_back(size);
    auto slots = e->alloc(size * options.slots * sizeof(float), "state '" + state.name + "'");
    auto scratch = e->alloc(size * options.slots * sizeof(float), "state '" + state.name + "'");
    if (!slots.ok())
      return slots.status();
    if (!scratch.ok())
      return scratch.status();
    e->states_.push_back(*slots);
    e->scratch_.push_back(*scratch);
  }
  SSMRT_RETURN_IF_ERROR(dev.synchronize());
  return e;
}

GpuExecutor::~GpuExecutor() {
  forward_.reset();
  decode_.reset();
  weights_.reset();
  for (DevicePtr p : owned_)
    device_->release(p);
  if (prefillLogits_)
    device_->release(prefillLogits_);
}

Status GpuExecutor::ensureLogits(DevicePtr &buffer, int64_t &capacity, int64_t rows) {
  if (rows <= capacity)
    return okStatus();
  if (buffer)
    device_->release(buffer);
  buffer = 0;
  capacity = 0;
  StatusOr<DevicePtr> p = device_->allocate(rows * vocabSize() * sizeof(float), "logits");
  if (!p.ok())
    return p.status();
  buffer = *p;
  capacity = rows;
  return okStatus();
}

Status GpuExecutor::run(bool decode, const std::vector<int64_t> &slots, const StepInputs &in) {
  GpuFunction &function = decode ? *decode_ : *forward_;
  const Function &f = decode ? program_.cuda.decode : program_.cuda.forward;
  int64_t n = static_cast<int64_t>(slots.size());
  int64_t rows = in.logitRows ? static_cast<int64_t>(in.logitRows->size()) : 0;
  if (in.batch * in.seq > function.maxTokens())
    return Status::error("a call of " + std::to_string(in.batch * in.seq) +
                         " token rows exceeds the " + std::to_string(function.maxTokens()) +
                         " this executor was prepared for");
  SSMRT_RETURN_IF_ERROR(device_->upload(tokens_, in.tokens, in.batch * in.seq * sizeof(int32_t)));
  SSMRT_RETURN_IF_ERROR(device_->upload(lens_, in.seqLens, in.batch * sizeof(int32_t)));

  bool consecutive = true;
  for (int64_t i = 1; i < n; ++i)
    consecutive &= slots[i] == slots[0] + i;
  GpuCall call;
  call.batch = in.batch;
  call.seq = in.seq;
  call.tokens = tokens_;
  call.seqLens = lens_;
  if (in.logitRows)
    call.logitRows = *in.logitRows;
  if (decode) {
    if (rows > decodeLogitRows_)
      return Status::error("more decode logits rows than slots");
    call.logits = decodeLogits_;
  } else {
    SSMRT_RETURN_IF_ERROR(ensureLogits(prefillLogits_, prefillLogitRows_, rows));
    call.logits = prefillLogits_;
  }
  // States: in place for consecutive slots, else gathered and scattered.
  std::vector<std::pair<int32_t, int64_t>> gathered; // (kind, bytes per slot)
  for (size_t i = 2; i < f.inputs.size(); ++i) {
    int32_t kind = f.values[f.inputs[i]].index;
    int64_t bytes = stateSize_[kind] * sizeof(float);
    if (consecutive) {
      call.states.push_back(states_[kind] + slots[0] * bytes);
      continue;
    }
    for (int64_t b = 0; b < n; ++b)
      SSMRT_RETURN_IF_ERROR(
          device_->copy(scratch_[kind] + b * bytes, states_[kind] + slots[b] * bytes, bytes));
    call.states.push_back(scratch_[kind]);
    gathered.push_back({kind, bytes});
  }

  Status status;
  if (decode && consecutive && options_.graphs && !function.profiling()) {
    auto key = std::make_pair(n, slots[0]);
    auto it = graphs_.find(key);
    if (it == graphs_.end()) {
      StatusOr<int> graph = device_->capture([&] { return function.run(call); });
      if (graph.ok() && *graph >= 0) {
        it = graphs_.emplace(key, *graph).first;
      } else {
        if (!graph.ok())
          std::fprintf(stderr, "note: running decode steps without CUDA graphs: %s\n",
                       graph.status().message().c_str());
        options_.graphs = false;
      }
    }
    status = it != graphs_.end() ? device_->replay(it->second) : function.run(call);
  } else {
    status = function.run(call);
  }
  SSMRT_RETURN_IF_ERROR(status);
  for (auto [kind, bytes] : gathered)
    for (int64_t b = 0; b < n; ++b)
      SSMRT_RETURN_IF_ERROR(
          device_->copy(states_[kind] + slots[b] * bytes, scratch_[kind] + b * bytes, bytes));
  if (rows)
    return device_->download(in.logits, call.logits, rows * vocabSize() * sizeof(float));
  return device_->synchronize();
}

Status GpuExecutor::reset(int64_t slot) {
  for (size_t s = 0; s < states_.size(); ++s) {
    std::vector<float> zeros(stateSize_[s], 0.0f);
    SSMRT_RETURN_IF_ERROR(device_->upload(states_[s] + slot * stateSize_[s] * sizeof(float),
                                          zeros.data(), zeros.size() * sizeof(float)));
  }
  return okStatus();
}

StatusOr<std::vector<float>> GpuExecutor::snapshot(int64_t slot) {
  std::vector<float> out;
  for (size_t s = 0; s < states_.size(); ++s) {
    size_t offset = out.size();
    out.resize(offset + stateSize_[s]);
    SSMRT_RETURN_IF_ERROR(device_->download(out.data() + offset,
                                            states_[s] + slot * stateSize_[s] * sizeof(float),
                                            stateSize_[s] * sizeof(float)));
  }
  return out;
}

Status GpuExecutor::restore(int64_t slot, const std::vector<float> &state) {
  size_t offset = 0;
  for (size_t s = 0; s < states_.size(); ++s) {
    SSMRT_RETURN_IF_ERROR(device_->upload(states_[s] + slot * stateSize_[s] * sizeof(float),
                                          state.data() + offset, stateSize_[s] * sizeof(float)));
    offset += stateSize_[s];
  }
  return okStatus();
}
