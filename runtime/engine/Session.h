//===- Session.h - a loaded model with per-sequence state slots -*- C++ -*-===//
//
// The runtime's entry point: a compiled Program, its weights, and a fixed
// number of sequence slots, each holding that sequence's recurrent state.
// Prefill feeds whole prompts (in chunks, carrying the state; sequences of
// different lengths share a batch without padding entering any state);
// decode advances each given slot by one token.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_ENGINE_SESSION_H
#define SSMC_RUNTIME_ENGINE_SESSION_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/cpu/CpuFunction.h"
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/engine/WeightStore.h"
#include "runtime/io/Checkpoint.h"

#include <memory>
#include <vector>

namespace ssmrt {

struct SessionOptions {
  int threads = 0;        ///< 0: defaultThreadCount()
  int64_t slots = 8;      ///< sequences that can be live at once
  int64_t prefillChunk = 512; ///< tokens per sequence per prefill call
};

class Session {
public:
  /// Loads |program| with weights from |checkpoint| (whose config.json must
  /// agree with the model), or random weights from |randomSeed| when
  /// |checkpoint| is null.
  static StatusOr<std::unique_ptr<Session>> create(Program program,
                                                   std::unique_ptr<Checkpoint> checkpoint,
                                                   uint64_t randomSeed, SessionOptions options);

  int64_t vocabSize() const { return vocab_; }
  int64_t slots() const { return options_.slots; }
  const Program &program() const { return program_; }
  /// Bytes of weights a decode step reads (all parameters, as floats).
  int64_t weightBytes() const { return weights_.totalBytes(); }
  ThreadPool &threadPool() { return *pool_; }
  /// The executors of @forward (prefill) and @decode, e.g. for profiling.
  CpuFunction &prefillFunction() { return *forward_; }
  CpuFunction &decodeFunction() { return *decode_; }

  /// Clears a slot's state (a new sequence).
  Status reset(int64_t slot);

  enum class Logits { Last, All };
  /// Feeds |prompts[i]| to slot |slots[i]| after what the slot has seen.
  /// |logits[i]| receives the logits of the prompt's last token ([vocab]) or,
  /// with Logits::All, of every prompt token ([len, vocab]).
  Status prefill(const std::vector<int64_t> &slots,
                 const std::vector<std::vector<int32_t>> &prompts, Logits which,
                 std::vector<std::vector<float>> &logits);
  /// Feeds one token to each slot; |logits| receives [slots.size(), vocab].
  Status decode(const std::vector<int64_t> &slots, const std::vector<int32_t> &tokens,
                std::vector<float> &logits);

  /// A copy of a slot's state, and restoring it (prompt reuse across turns).
  std::vector<float> snapshot(int64_t slot) const;
  Status restore(int64_t slot, const std::vector<float> &state);

private:
  Session() = default;
  Status checkSlots(const std::vector<int64_t> &slots) const;
  Status checkTokens(const int32_t *tokens, size_t n) const;
  /// Runs |function| on |slots| with the states gathered into contiguous
  /// batch memory (in place when the slots are consecutive).
  Status runOn(CpuFunction &function, const std::vector<int64_t> &slots, CallInputs &call);

  Program program_;
  SessionOptions options_;
  std::unique_ptr<Checkpoint> checkpoint_;
  WeightStore weights_;
  std::unique_ptr<KernelLibrary> kernels_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<CpuFunction> forward_, decode_;
  int64_t vocab_ = 0;
  int64_t embeddingRows_ = 0;
  /// Per state slot kind (program.states): [slots, per-sequence floats].
  std::vector<std::vector<float>> states_;
  std::vector<int64_t> stateSize_;
  std::vector<std::vector<float>> scratch_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_ENGINE_SESSION_H
