//===- CpuFunction.h - runs one program function on the CPU -----*- C++ -*-===//
//
// Executes @forward or @decode: native kernels from the artifact's shared
// object (run in parallel over their work items), matrix products through
// BLAS, the mixture-of-experts block as matrix products per expert,
// attention over the KV caches (Attention),
// split/reshape as views into the planned activation buffers, and
// the few ops without a native kernel through the float64 reference
// implementation. Weight-only instructions (`once`) are evaluated once when
// the function is created.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_CPUFUNCTION_H
#define SSMC_RUNTIME_CPU_CPUFUNCTION_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/cpu/Attention.h"
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/cpu/MixtureOfExperts.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/exec/FunctionPlan.h"
#include "runtime/exec/KVCacheStore.h"
#include "runtime/exec/WeightStore.h"

#include <memory>
#include <vector>

namespace ssmrt {

/// The dtype the weights of matrix products (linear, logits) are read in.
enum class ProductWeights { F32, BF16, F16, Int8 };

/// One call of a function on a batch of sequences.
struct CallInputs {
  const int32_t *tokens = nullptr; ///< [batch, seq], row-major
  int64_t batch = 0, seq = 0;
  const int32_t *seqLens = nullptr; ///< [batch]; each in [0, seq]
  /// One address per state input of the function (Function.inputs[2..]):
  /// [batch, per-sequence shape] floats, read and updated in place.
  const std::vector<uint64_t> *states = nullptr;
  /// The slot of each batch row, and the KV caches of every slot (for
  /// attention layers).
  const std::vector<int64_t> *slots = nullptr;
  KVCacheStore *kvCaches = nullptr;
  /// Token rows (b * seq + t) whose logits to compute, into |logits|
  /// ([rows.size(), vocab] floats).
  const std::vector<int64_t> *logitRows = nullptr;
  float *logits = nullptr;
};

class CpuFunction {
public:
  /// Prepares |function| of |program| for calls of up to |maxTokens| token
  /// rows (batch * seq): allocates its activation buffers and evaluates its
  /// weight-only instructions. |kernels| is the loaded native code.
  /// The weights of matrix products are read as |productWeights|
  /// (WeightStore::paramBf16, paramInt8), without an f32 copy.
  static StatusOr<std::unique_ptr<CpuFunction>>
  create(const Program &program, const Function &function, const WeightStore &weights,
         const KernelLibrary &kernels, ThreadPool &pool, int64_t maxTokens,
         ProductWeights productWeights = ProductWeights::F32);

  Status run(const CallInputs &inputs);

  /// A call run in pieces, for tuning one instruction at a time (ssmc tune):
  /// beginCall() checks |inputs| as run() does and keeps them (they must
  /// outlive the call), runSteps() runs instructions [from, to), endCall()
  /// closes the call.
  Status beginCall(const CallInputs &inputs);
  Status runSteps(size_t from, size_t to);
  void endCall() { call_ = nullptr; }
  /// In an open call: the token rows of the activation buffers instruction
  /// |instr| reads or writes (start, floats), to save and restore around
  /// runSteps(). States are the caller's own memory.
  std::vector<std::pair<float *, size_t>> activationRegions(size_t instr) const;
  /// The kernel instruction |instr| runs, or -1 when it runs no kernel.
  int32_t kernelOf(size_t instr) const {
    return plan_.steps[instr] == FunctionPlan::Step::Kernel ? function_.instrs[instr].kernel : -1;
  }
  /// When enabled, run() adds the seconds spent per op to profile().
  void enableProfile(bool on) { profiling_ = on; }
  /// Seconds per op code (indexed by OpCode) since profiling was enabled.
  const std::vector<double> &profile() const { return profile_; }
  int64_t vocabSize() const { return vocab_; }
  /// Bytes per value this function's products read parameter |index| in
  /// (2 for bf16, 1 for int8 and its scales), or 4 (f32, or not read by a
  /// product; a tied embedding's lookup reads one f32 row per token).
  double productBytesPerValue(size_t index) const;
  int64_t maxTokens() const { return maxTokens_; }

private:
  CpuFunction(const Program &program, const Function &function, const WeightStore &weights,
              const KernelLibrary &kernels, ThreadPool &pool)
      : program_(program), function_(function), weights_(weights), kernels_(kernels), pool_(pool) {}

  Status prepare(int64_t maxTokens, ProductWeights productWeights);
  /// The data of a non-activation value (parameter, weight-only result,
  /// state, tokens, sequence lengths) for the current call.
  const void *dataOf(int32_t id) const;
  float *bufferRow(int32_t id, int64_t row) const;
  /// The product weights of value |id| that are not f32 (both null when
  /// they are).
  struct LowWeights {
    const uint16_t *bf16 = nullptr, *f16 = nullptr;
    WeightStore::Int8 int8;
  };
  LowWeights lowWeights(int32_t id) const;
  /// Weight value |id| [out, in] in the dtype products read it in.
  WeightMatrix weightMatrix(int32_t id) const;
  int64_t bufferStride(int32_t id) const;
  int64_t rowWidth(int32_t id) const;
  /// Appends |id|'s memref descriptor (base, aligned base, offset, sizes,
  /// strides) to args_.
  void pushMemRef(int32_t id);
  void runKernel(const Instr &instr);
  /// The weights of a ssm.moe instruction.
  MoEWeights moeWeights(const Instr &instr) const;
  void runLinear(const Instr &instr);
  void runMoE(size_t index, const Instr &instr);
  /// Appends the call's keys and values to each sequence's caches, then
  /// attends.
  Status runAttention(size_t index, const Instr &instr);
  void runLogits(const Instr &instr);
  Status runFallback(size_t index, const Instr &instr);

  const Program &program_;
  const Function &function_;
  const WeightStore &weights_;
  const KernelLibrary &kernels_;
  ThreadPool &pool_;
  FunctionPlan plan_;
  int64_t maxTokens_ = 0;
  int64_t vocab_ = 0;
  /// f32 parameters by parameter index (null for one only read by
  /// products in another dtype), and the other dtypes' weights.
  std::vector<const float *> params_;
  std::vector<LowWeights> lowParams_;
  /// Packed kernel arguments of the current instruction (capacity kept).
  std::vector<int64_t> args_;
  /// The logits rows of a call, gathered ([maxTokens, width]).
  std::vector<float> logitRows_;
  /// Each ssm.moe instruction's weights and scratch, by instruction index.
  std::vector<MoEWeights> moeWeights_;
  std::vector<std::unique_ptr<MixtureOfExperts>> moe_;
  /// Each ssm.attention instruction's shape, by instruction index.
  std::vector<AttentionShape> attentionShapes_;
  Attention attention_;
  std::vector<AttentionSequence> attentionCall_;

  struct AlignedFree {
    void operator()(float *p) const;
  };
  std::vector<std::unique_ptr<float[], AlignedFree>> buffers_;
  /// Weight-only results, by value id.
  std::vector<std::vector<float>> once_;
  // The current call.
  const CallInputs *call_ = nullptr;
  bool profiling_ = false;
  std::vector<double> profile_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_CPUFUNCTION_H
