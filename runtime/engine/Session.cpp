//===- Session.cpp - a loaded model with per-sequence state slots ---------===//
#include "runtime/engine/Session.h"

#include <algorithm>
#include <cblas.h>
#include <cstring>

using namespace ssmrt;

namespace {
int64_t elementsOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}
} // namespace

StatusOr<std::unique_ptr<Session>> Session::create(Program program,
                                                   std::unique_ptr<Checkpoint> checkpoint,
                                                   uint64_t randomSeed, SessionOptions options) {
  if (options.slots < 1 || options.prefillChunk < 1)
    return Status::error("a session needs at least one slot and a positive prefill chunk");
  std::unique_ptr<Session> s(new Session());
  s->program_ = std::move(program);
  s->options_ = options;
  for (const StateDesc &state : s->program_.states)
    if (state.kind == StateKind::KVCache)
      return Status::error("model '" + s->program_.modelName +
                           "' has attention layers, which the CPU runtime does not run yet");
  if (checkpoint) {
    if (const JsonDocument *config = checkpoint->config())
      SSMRT_RETURN_IF_ERROR(checkConfig(s->program_, *config));
    StatusOr<WeightStore> weights = WeightStore::fromCheckpoint(s->program_, *checkpoint);
    if (!weights.ok())
      return weights.status();
    s->weights_ = std::move(*weights);
    s->checkpoint_ = std::move(checkpoint);
  } else {
    s->weights_ = WeightStore::random(s->program_, randomSeed);
  }
  StatusOr<std::unique_ptr<KernelLibrary>> kernels = KernelLibrary::load(s->program_.cpu);
  if (!kernels.ok())
    return kernels.status();
  s->kernels_ = std::move(*kernels);
  int threads = options.threads > 0 ? options.threads : defaultThreadCount();
  s->pool_ = std::make_unique<ThreadPool>(threads);
  // The pool parallelizes matrix products itself (CpuFunction::matmul).
  openblas_set_num_threads(1);

  auto forward = CpuFunction::create(s->program_, s->program_.forward, s->weights_, *s->kernels_,
                                     *s->pool_, options.slots * options.prefillChunk);
  if (!forward.ok())
    return forward.status();
  s->forward_ = std::move(*forward);
  auto decode = CpuFunction::create(s->program_, s->program_.decode, s->weights_, *s->kernels_,
                                    *s->pool_, options.slots);
  if (!decode.ok())
    return decode.status();
  s->decode_ = std::move(*decode);
  s->vocab_ = s->forward_->vocabSize();
  for (const Instr &in : s->program_.forward.instrs)
    if (in.op == OpCode::Embedding)
      s->embeddingRows_ = s->program_.forward.values[in.operands[0]].shape[0];

  for (const StateDesc &state : s->program_.states) {
    int64_t size = elementsOf(state.shape);
    s->stateSize_.push_back(size);
    s->states_.emplace_back(size * options.slots, 0.0f);
    s->scratch_.emplace_back();
  }
  return s;
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
  for (size_t s = 0; s < states_.size(); ++s)
    std::fill_n(states_[s].begin() + slot * stateSize_[s], stateSize_[s], 0.0f);
  return okStatus();
}

std::vector<float> Session::snapshot(int64_t slot) const {
  std::vector<float> out;
  for (size_t s = 0; s < states_.size(); ++s)
    out.insert(out.end(), states_[s].begin() + slot * stateSize_[s],
               states_[s].begin() + (slot + 1) * stateSize_[s]);
  return out;
}

Status Session::restore(int64_t slot, const std::vector<float> &state) {
  SSMRT_RETURN_IF_ERROR(checkSlots({slot}));
  size_t total = 0;
  for (int64_t n : stateSize_)
    total += n;
  if (state.size() != total)
    return Status::error("a state snapshot of " + std::to_string(state.size()) +
                         " floats does not fit this model (" + std::to_string(total) + ")");
  size_t offset = 0;
  for (size_t s = 0; s < states_.size(); ++s) {
    std::copy_n(state.begin() + offset, stateSize_[s], states_[s].begin() + slot * stateSize_[s]);
    offset += stateSize_[s];
  }
  return okStatus();
}

Status Session::runOn(CpuFunction &function, const std::vector<int64_t> &slots,
                      CallInputs &call) {
  const Function &f = &function == forward_.get() ? program_.forward : program_.decode;
  int64_t n = static_cast<int64_t>(slots.size());
  bool consecutive = true;
  for (int64_t i = 1; i < n; ++i)
    consecutive &= slots[i] == slots[0] + i;
  call.states.clear();
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
    CallInputs call;
    call.tokens = tokens.data();
    call.batch = n;
    call.seq = seq;
    call.seqLens = lens.data();
    call.logitRows = &rows;
    call.logits = out.data();
    SSMRT_RETURN_IF_ERROR(runOn(*forward_, slots, call));
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
  std::vector<int32_t> lens(n, 1);
  std::vector<int64_t> rows(n);
  for (int64_t b = 0; b < n; ++b)
    rows[b] = b;
  logits.resize(n * vocab_);
  CallInputs call;
  call.tokens = tokens.data();
  call.batch = n;
  call.seq = 1;
  call.seqLens = lens.data();
  call.logitRows = &rows;
  call.logits = logits.data();
  return runOn(*decode_, slots, call);
}
