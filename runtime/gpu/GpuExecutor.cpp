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
  for (size_t i = 0; i < program.cuda.kernels.size(); ++i) {
    const CudaKernelDesc &k = program.cuda.kernels[i];
    StatusOr<int> handle =
        dev.loadKernel(k, i < options.tiles.size() ? options.tiles[i] : std::vector<TileParam>());
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
  auto states = StateStore::create(program, options.slots, std::make_unique<StateMemory>(dev),
                                   program.cuda.dtype);
  if (!states.ok())
    return states.status();
  e->states_ = std::move(*states);
  SSMRT_RETURN_IF_ERROR(dev.synchronize());
  return e;
}

GpuExecutor::~GpuExecutor() {
  states_.reset();
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

  GpuCall &call = call_;
  call.batch = in.batch;
  call.seq = in.seq;
  call.tokens = tokens_;
  call.seqLens = lens_;
  call.logitRows = in.logitRows;
  if (decode) {
    if (rows > decodeLogitRows_)
      return Status::error("more decode logits rows than slots");
    call.logits = decodeLogits_;
  } else {
    SSMRT_RETURN_IF_ERROR(ensureLogits(prefillLogits_, prefillLogitRows_, rows));
    call.logits = prefillLogits_;
  }
  // States: in place for consecutive slots, else gathered and scattered.
  SSMRT_RETURN_IF_ERROR(states_->gather(f, slots, stateAddresses_));
  SSMRT_RETURN_IF_ERROR(function.prepareAttention(states_->kvCaches(), slots, in.seqLens));
  call.states = &stateAddresses_;
  bool consecutive = true;
  for (int64_t i = 1; i < n; ++i)
    consecutive &= slots[i] == slots[0] + i;

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
  function.commitAttention(states_->kvCaches(), slots, in.seqLens);
  SSMRT_RETURN_IF_ERROR(states_->scatter(f, slots));
  if (rows)
    return device_->download(in.logits, call.logits, rows * vocabSize() * sizeof(float));
  return device_->synchronize();
}
