//===- Session.cpp - a loaded model with per-sequence state slots ---------===//
#include "runtime/engine/Session.h"
#include "runtime/cpu/CpuPath.h"
#include "runtime/engine/MemoryEstimate.h"

#include "runtime/gpu/CudaDevice.h"
#include "runtime/gpu/GpuExecutor.h"
#include "runtime/gpu/GpuTuner.h"
#include "runtime/tuning/TuningDb.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

using namespace ssmrt;

StatusOr<std::unique_ptr<Session>> Session::create(Program program,
                                                   std::unique_ptr<Checkpoint> checkpoint,
                                                   uint64_t randomSeed, SessionOptions options) {
  SSMRT_RETURN_IF_ERROR(checkCpuPath());
  if (options.slots < 1 || options.prefillChunk < 1)
    return Status::error("a session needs at least one slot and a positive prefill chunk");
  if (options.weightsDtype != "auto" && options.weightsDtype != "f32" &&
      options.weightsDtype != "bf16" && options.weightsDtype != "f16" &&
      options.weightsDtype != "int8")
    return Status::error("unknown weights dtype '" + options.weightsDtype +
                         "' (auto, f32, bf16, f16 or int8)");
  std::unique_ptr<Session> s(new Session());
  s->program_ = std::move(program);
  s->options_ = options;
  StatusOr<DeviceChoice> choice = parseDevice(options.device);
  if (!choice.ok())
    return choice.status();
  bool onCpu = choice->kind == DeviceChoice::Kind::Cpu ||
               (choice->kind == DeviceChoice::Kind::Auto && !s->program_.cuda.present());
  SSMRT_RETURN_IF_ERROR(checkMemory(estimateHostMemory(
      s->program_, checkpoint.get(), onCpu, options.slots, options.slots * options.prefillChunk)));
  if (checkpoint) {
    if (const JsonDocument *config = checkpoint->config())
      SSMRT_RETURN_IF_ERROR(checkConfig(s->program_, *config));
    StatusOr<WeightStore> weights = WeightStore::fromCheckpoint(s->program_, *checkpoint);
    if (!weights.ok())
      return weights.status();
    s->weights_ = std::move(*weights);
    s->checkpoint_ = std::move(checkpoint);
    if (options.checkWeights) {
      auto progress = [&](int64_t done, int64_t total) {
        if (options.progress)
          options.progress("checking the weights (MiB)", done >> 20, total >> 20);
      };
      SSMRT_RETURN_IF_ERROR(s->weights_.checkFinite(progress));
    }
  } else {
    s->weights_ = WeightStore::random(s->program_, randomSeed);
  }
  SSMRT_RETURN_IF_ERROR(s->createExecutor());
  s->vocab_ = s->executor_->vocabSize();
  for (const Instr &in : s->program_.forward.instrs)
    if (in.op == OpCode::Embedding)
      s->embeddingRows_ = s->program_.forward.values[in.operands[0]].shape[0];
  return s;
}

StatusOr<DeviceChoice> ssmrt::parseDevice(const std::string &device) {
  DeviceChoice choice;
  if (device == "auto")
    return choice;
  if (device == "cpu") {
    choice.kind = DeviceChoice::Kind::Cpu;
    return choice;
  }
  if (device != "cuda" && device.rfind("cuda:", 0) != 0)
    return Status::error("unknown device '" + device + "' (auto, cpu, cuda or cuda:N)");
  choice.kind = DeviceChoice::Kind::Cuda;
  if (device == "cuda")
    return choice;
  const std::string digits = device.substr(5);
  if (digits.empty() || digits.size() > 3 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return Status::error("device '" + device + "': expected cuda:N");
  choice.ordinal = std::stoi(digits);
  return choice;
}

Status Session::createExecutor() {
  StatusOr<DeviceChoice> choice = parseDevice(options_.device);
  if (!choice.ok())
    return choice.status();
  bool wantGpu = choice->kind == DeviceChoice::Kind::Cuda;
  bool autoGpu = choice->kind == DeviceChoice::Kind::Auto && program_.cuda.present();
  if (wantGpu || autoGpu) {
    StatusOr<std::unique_ptr<gpu::GpuDevice>> dev = gpu::openCudaDevice(choice->ordinal);
    if (dev.ok() && !program_.cuda.present())
      return Status::error("model '" + program_.modelName +
                           "' has no CUDA code: compile it with --target cuda:sm_XX");
    gpu::GpuExecutorOptions gpuOptions;
    gpuOptions.slots = options_.slots;
    gpuOptions.maxTokens = options_.slots * options_.prefillChunk;
    gpuOptions.graphs = options_.graphs;
    if (dev.ok() && options_.tuning)
      gpuOptions.tiles = tunedTilesFor(**dev);
    StatusOr<std::unique_ptr<gpu::GpuExecutor>> gpuExecutor =
        dev.ok() ? gpu::GpuExecutor::create(program_, weights_, std::move(*dev), gpuOptions)
                 : StatusOr<std::unique_ptr<gpu::GpuExecutor>>(dev.status());
    if (gpuExecutor.ok()) {
      gpu_ = gpuExecutor->get();
      executor_ = std::move(*gpuExecutor);
      return okStatus();
    }
    if (wantGpu)
      return gpuExecutor.status();
    note("running on the CPU: " + gpuExecutor.status().message());
  }
  referenceUses_ = ssmrt::referenceUses(program_);
  if (!options_.referenceFallback && !referenceUses_.empty())
    return Status::error("model '" + program_.modelName + "': " + referenceUses_[0].describe() +
                         " has no CPU kernel and would run in the float64 reference "
                         "interpreter (--no-reference-fallback)");
  ProductWeights products = options_.weightsDtype == "bf16"   ? ProductWeights::BF16
                            : options_.weightsDtype == "f16"  ? ProductWeights::F16
                            : options_.weightsDtype == "int8" ? ProductWeights::Int8
                                                              : ProductWeights::F32;
  // auto: the checkpoint's own 16-bit dtype, read from the memory map.
  if (options_.weightsDtype == "auto")
    for (const Instr &in : program_.forward.instrs)
      if (in.op == OpCode::Linear || in.op == OpCode::Logits) {
        const ValueDesc &w = program_.forward.values[in.operands[1]];
        DType stored = w.kind == ValueKind::Param ? weights_.stored(w.index).dtype : DType::F32;
        if (stored == DType::BF16)
          products = ProductWeights::BF16;
        else if (stored == DType::F16)
          products = ProductWeights::F16;
        break;
      }
  auto cpu = CpuExecutor::create(program_, weights_, options_.threads, options_.slots,
                                 options_.slots * options_.prefillChunk, products);
  if (!cpu.ok())
    return cpu.status();
  cpu_ = cpu->get();
  executor_ = std::move(*cpu);
  return okStatus();
}

void Session::note(const std::string &text) const {
  if (options_.note)
    options_.note(text);
  else
    std::fprintf(stderr, "note: %s\n", text.c_str());
}

std::vector<std::vector<TileParam>> Session::tunedTilesFor(gpu::GpuDevice &device) const {
  DeviceKey key = device.deviceKey();
  std::string path = options_.tuningDb;
  if (path.empty()) {
    StatusOr<std::string> p = TuningDb::defaultPath(key, /*create=*/false);
    struct stat st;
    if (!p.ok() || stat(p->c_str(), &st) != 0)
      return {};
    path = *p;
  }
  StatusOr<TuningDb> db = TuningDb::read(path, key);
  if (!db.ok()) {
    note("ignoring the tuning database: " + db.status().message());
    return {};
  }
  int tuned = 0;
  return gpu::tunedTiles(program_, *db, tuned);
}

Status Session::checkSlots(const std::vector<int64_t> &slots) const {
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i] < 0 || slots[i] >= options_.slots)
      return Status::error("slot " + std::to_string(slots[i]) + " is outside [0, " +
                           std::to_string(options_.slots) + ")");
    for (size_t j = 0; j < i; ++j)
      if (slots[j] == slots[i])
        return Status::error("slot " + std::to_string(slots[i]) + " is given twice");
  }
  return okStatus();
}

Status Session::checkTokens(const int32_t *tokens, size_t n) const {
  int64_t limit = embeddingRows_ ? embeddingRows_ : vocab_;
  for (size_t i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= limit)
      return Status::error("token id " + std::to_string(tokens[i]) +
                           " is outside the vocabulary [0, " + std::to_string(limit) + ")");
  return okStatus();
}

Status Session::reset(int64_t slot) {
  SSMRT_RETURN_IF_ERROR(checkSlots({slot}));
  return executor_->reset(slot);
}

StatusOr<std::vector<float>> Session::snapshot(int64_t slot) const {
  SSMRT_RETURN_IF_ERROR(checkSlots({slot}));
  return executor_->snapshot(slot);
}

Status Session::restore(int64_t slot, const std::vector<float> &state) {
  SSMRT_RETURN_IF_ERROR(checkSlots({slot}));
  return executor_->restore(slot, state);
}

Status Session::prefill(const std::vector<int64_t> &slots,
                        const std::vector<std::vector<int32_t>> &prompts, Logits which,
                        std::vector<std::vector<float>> &logits) {
  SSMRT_RETURN_IF_ERROR(checkSlots(slots));
  if (slots.size() != prompts.size() || slots.empty())
    return Status::error("prefill needs one prompt per slot");
  int64_t n = static_cast<int64_t>(slots.size());
  int64_t longest = 0;
  for (const auto &p : prompts) {
    if (p.empty())
      return Status::error("an empty prompt");
    SSMRT_RETURN_IF_ERROR(checkTokens(p.data(), p.size()));
    longest = std::max<int64_t>(longest, p.size());
  }
  logits.assign(n, {});
  // Chunks of at most |chunk| tokens per sequence, |n| sequences at a time.
  int64_t chunk = std::min(longest, options_.prefillChunk * options_.slots / n);
  std::vector<int32_t> tokens(n * chunk), lens(n);
  std::vector<int64_t> rows;
  std::vector<std::pair<int64_t, int64_t>> rowOwner; // (sequence, position)
  std::vector<float> out;
  for (int64_t start = 0; start < longest; start += chunk) {
    int64_t seq = std::min(chunk, longest - start);
    rows.clear();
    rowOwner.clear();
    for (int64_t b = 0; b < n; ++b) {
      int64_t len = std::clamp<int64_t>(static_cast<int64_t>(prompts[b].size()) - start, 0, seq);
      lens[b] = static_cast<int32_t>(len);
      for (int64_t t = 0; t < seq; ++t)
        tokens[b * seq + t] = t < len ? prompts[b][start + t] : 0;
      for (int64_t t = 0; t < len; ++t) {
        bool last = start + t + 1 == static_cast<int64_t>(prompts[b].size());
        if (which == Logits::All || last) {
          rows.push_back(b * seq + t);
          rowOwner.push_back({b, start + t});
        }
      }
    }
    out.resize(rows.size() * vocab_);
    StepInputs call;
    call.tokens = tokens.data();
    call.batch = n;
    call.seq = seq;
    call.seqLens = lens.data();
    call.logitRows = &rows;
    call.logits = out.data();
    SSMRT_RETURN_IF_ERROR(executor_->run(false, slots, call));
    if (options_.progress && longest > chunk)
      options_.progress("prefill (tokens)", std::min(start + seq, longest), longest);
    for (size_t r = 0; r < rows.size(); ++r) {
      auto &dst = logits[rowOwner[r].first];
      dst.insert(dst.end(), out.begin() + r * vocab_, out.begin() + (r + 1) * vocab_);
    }
  }
  return okStatus();
}

Status Session::decode(const std::vector<int64_t> &slots, const std::vector<int32_t> &tokens,
                       std::vector<float> &logits) {
  SSMRT_RETURN_IF_ERROR(checkSlots(slots));
  if (slots.size() != tokens.size() || slots.empty())
    return Status::error("decode needs one token per slot");
  SSMRT_RETURN_IF_ERROR(checkTokens(tokens.data(), tokens.size()));
  int64_t n = static_cast<int64_t>(slots.size());
  decodeLens_.assign(n, 1);
  decodeRows_.resize(n);
  for (int64_t b = 0; b < n; ++b)
    decodeRows_[b] = b;
  logits.resize(n * vocab_);
  StepInputs call;
  call.tokens = tokens.data();
  call.batch = n;
  call.seq = 1;
  call.seqLens = decodeLens_.data();
  call.logitRows = &decodeRows_;
  call.logits = logits.data();
  return executor_->run(true, slots, call);
}
