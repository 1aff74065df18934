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
#include "runtime/cpu/CpuExecutor.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/FunctionPlan.h"
#include "runtime/exec/WeightStore.h"
#include "runtime/io/Checkpoint.h"

#include <functional>
#include <memory>
#include <vector>

namespace ssmrt {

namespace gpu {
class GpuDevice;
class GpuExecutor;
} // namespace gpu

/// What a --device string asks for: "auto", "cpu", "cuda" (GPU 0) or
/// "cuda:N".
struct DeviceChoice {
  enum class Kind { Auto, Cpu, Cuda } kind = Kind::Auto;
  int ordinal = 0; ///< the GPU for Auto and Cuda
};
StatusOr<DeviceChoice> parseDevice(const std::string &device);

struct SessionOptions {
  int threads = 0;            ///< 0: threadCount(0)
  int64_t slots = 8;          ///< sequences that can be live at once
  int64_t prefillChunk = 512; ///< tokens per sequence per prefill call
  /// "cpu", "cuda" or "cuda:N" (GPU N), or "auto": the first GPU when the
  /// artifact has CUDA code and a GPU is there, else the CPU.
  std::string device = "auto";
  bool graphs = true; ///< GPU: replay decode steps as CUDA graphs
  /// CPU: let ops without a kernel run in the float64 reference
  /// interpreter; when false, such an op fails create(), naming it.
  bool referenceFallback = true;
  /// Check every checkpoint tensor for NaN and infinity when loading (one
  /// pass over the weights).
  bool checkWeights = true;
  /// CPU: the dtype matrix products read their weights in: "f32", "bf16",
  /// "int8" (one scale per 32 values of a row), or "auto" (bf16 when the
  /// checkpoint stores them so, else f32).
  std::string weightsDtype = "auto";
  /// GPU: load the CUDA kernels with the tiles the tuning database chose
  /// for this GPU (docs/tuning.md): the file |tuningDb|, else the GPU's
  /// database in the cache directory when there is one. A database that
  /// cannot be read is a note, and the compiled tiles are used.
  bool tuning = true;
  std::string tuningDb;
  /// Told of long work as it goes: what ("checking weights", "prefill"),
  /// units done and the total; done == total at the end.
  std::function<void(const std::string &what, int64_t done, int64_t total)> progress;
  /// Receives the session's notes (e.g. a GPU it could not use); stderr
  /// ("note: ...") when unset.
  std::function<void(const std::string &note)> note;
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
  /// Bytes of weights a decode step reads, in the dtypes the device uses.
  int64_t weightBytes() const { return executor_->weightBytes(); }
  /// The instructions that run in the float64 reference interpreter (on the
  /// CPU; none on a GPU).
  const std::vector<ReferenceUse> &referenceUses() const { return referenceUses_; }
  Executor &executor() { return *executor_; }
  /// The executor as the one it is: the CPU's, or null on a GPU...
  CpuExecutor *cpu() { return cpu_; }
  /// ... the GPU's, or null on the CPU.
  gpu::GpuExecutor *gpu() { return gpu_; }

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
  StatusOr<std::vector<float>> snapshot(int64_t slot) const;
  Status restore(int64_t slot, const std::vector<float> &state);

private:
  Session() = default;
  Status checkSlots(const std::vector<int64_t> &slots) const;
  Status checkTokens(const int32_t *tokens, size_t n) const;
  Status createExecutor();
  /// The tiles the tuning database chose for the CUDA kernels on |device|.
  std::vector<std::vector<TileParam>> tunedTilesFor(gpu::GpuDevice &device) const;
  void note(const std::string &text) const;

  Program program_;
  SessionOptions options_;
  std::unique_ptr<Checkpoint> checkpoint_;
  WeightStore weights_;
  std::unique_ptr<Executor> executor_;
  std::vector<ReferenceUse> referenceUses_;
  CpuExecutor *cpu_ = nullptr;
  gpu::GpuExecutor *gpu_ = nullptr;
  int64_t vocab_ = 0;
  int64_t embeddingRows_ = 0;
  // decode()'s sequence lengths (all 1) and logit rows (0..n-1), kept so
  // that a step allocates nothing once the batch size has been seen.
  std::vector<int32_t> decodeLens_;
  std::vector<int64_t> decodeRows_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_ENGINE_SESSION_H
