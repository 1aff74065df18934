//===- GpuFunction.h - runs one program function on a GPU -------*- C++ -*-===//
//
// Executes the CUDA copy of @forward or @decode (Program::cuda): the
// artifact's kernels with the argument list and launch grid of the kernel
// ABI (docs/artifact.md), matrix products through the device's GEMM, split
// and reshape as views into the planned activation buffers. Everything is
// enqueued on the device's stream; nothing waits.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_GPUFUNCTION_H
#define SSMC_RUNTIME_GPU_GPUFUNCTION_H

#include "runtime/exec/FunctionPlan.h"
#include "runtime/exec/KVCacheStore.h"
#include "runtime/gpu/GpuDevice.h"
#include "runtime/gpu/GpuWeights.h"

#include <memory>
#include <vector>

namespace ssmrt::gpu {

/// One call on a batch of sequences, all in device memory.
struct GpuCall {
  int64_t batch = 0, seq = 0;
  DevicePtr tokens = 0;  ///< int32 [batch * seq]
  DevicePtr seqLens = 0; ///< int32 [batch]
  /// One per state input of the function (Function.inputs[2..]): f32
  /// [batch, per-sequence shape], read and updated in place.
  const std::vector<DevicePtr> *states = nullptr;
  /// Token rows (b * seq + t) whose logits to compute into |logits| (f32
  /// [logitRows->size(), vocab]); none when null.
  const std::vector<int64_t> *logitRows = nullptr;
  DevicePtr logits = 0;
};

class GpuFunction {
public:
  /// Prepares |function| (Program::cuda.forward or .decode) for calls of up
  /// to |maxTokens| token rows and |maxBatch| sequences: checks that the
  /// device can run every instruction, allocates the activation buffers and
  /// the kernel workspace. |kernels| maps the artifact's kernel indices to
  /// loaded kernels (GpuDevice::loadKernel).
  static StatusOr<std::unique_ptr<GpuFunction>> create(const Program &program,
                                                       const Function &function, GpuDevice &device,
                                                       const GpuWeights &weights,
                                                       const std::vector<int> &kernels,
                                                       int64_t maxTokens, int64_t maxBatch);
  ~GpuFunction();

  /// Before a call on |slots| with |lens| new tokens each: grows the KV
  /// caches of |caches| that the function's attention instructions use and
  /// uploads their tables (cache addresses and cached token counts per
  /// sequence), which the attention kernels read from fixed addresses, so a
  /// captured decode step replays with the caches of the moment.
  Status prepareAttention(KVCacheStore &caches, const std::vector<int64_t> &slots,
                          const int32_t *lens);
  /// After the call succeeded: the caches hold the new tokens.
  void commitAttention(KVCacheStore &caches, const std::vector<int64_t> &slots,
                       const int32_t *lens);

  /// Enqueues the function on |call|.
  Status run(const GpuCall &call);
  int64_t vocabSize() const { return vocab_; }
  int64_t maxTokens() const { return maxTokens_; }
  /// Bytes of parameters a call reads once (weights in their GPU dtypes).
  int64_t weightBytes() const { return weightBytes_; }
  /// When enabled, run() times every instruction on the device (waiting
  /// for each) and adds the seconds per op code to profile().
  void enableProfile(bool on) { profiling_ = on; }
  bool profiling() const { return profiling_; }
  const std::vector<double> &profile() const { return profile_; }

private:
  GpuFunction(const Program &program, const Function &function, GpuDevice &device,
              const GpuWeights &weights, const std::vector<int> &kernels)
      : program_(program), function_(function), device_(device), weights_(weights),
        kernels_(kernels) {}
  Status prepare(int64_t maxTokens, int64_t maxBatch);
  bool planned(int32_t id) const;
  /// Device address of element (row 0, column) of an activation.
  DevicePtr activation(int32_t id) const;
  int64_t ld(int32_t id) const;
  /// Device address of a parameter, weight-only value, state, or input.
  DevicePtr dataOf(int32_t id, const GpuCall &call) const;
  Status runKernel(size_t index, const Instr &instr, const GpuCall &call);
  Status runLinear(const Instr &instr, const GpuCall &call);
  Status runLogits(const Instr &instr, const GpuCall &call);
  Status runAttention(size_t index, const Instr &instr, const GpuCall &call);
  Status runMoE(size_t index, const Instr &instr, const GpuCall &call);
  /// kernels/moe.cuh's scratch for |assignments| (token rows x top_k):
  /// offsets of its regions in 4-byte slots, and the total.
  struct MoELayout {
    int64_t sel, wts, h, y, u, hg, xg, pos, dst, counts, total;
  };
  static MoELayout moeLayout(int64_t assignments, int64_t inner, int64_t width, int64_t experts);
  size_t kvState(const Instr &instr) const {
    return static_cast<size_t>(function_.values[instr.operands[3]].index);
  }

  const Program &program_;
  const Function &function_;
  GpuDevice &device_;
  const GpuWeights &weights_;
  std::vector<int> kernels_;
  FunctionPlan plan_;
  int64_t maxTokens_ = 0, maxBatch_ = 0, vocab_ = 0, weightBytes_ = 0;
  std::vector<DevicePtr> buffers_;
  DevicePtr workspace_ = 0, gather_ = 0;
  /// The arguments of the kernel being launched (capacity kept).
  std::vector<KernelArg> args_;
  bool profiling_ = false;
  std::vector<double> profile_;
  /// Resident blocks per cooperative kernel (by artifact index), 0 = not yet.
  std::vector<int64_t> resident_;
  /// Attention: the instructions, and per instruction a table of maxBatch
  /// key addresses, maxBatch value addresses, maxBatch int32 token counts
  /// (host copy and device table, one upload per call).
  std::vector<size_t> attention_;
  std::vector<uint64_t> attentionHost_;
  DevicePtr attentionTables_ = 0;
  /// Per attention instruction, its own workspace (0 without key splits):
  /// the counters the last split resets must not be another kernel's
  /// scratch.
  std::vector<DevicePtr> attentionWorkspace_;
  /// MoE: per instruction its table of expert weight addresses (gate, up,
  /// down per expert) and the scratch of the largest one.
  std::vector<size_t> moe_;
  std::vector<DevicePtr> moeTables_;
  /// Per instruction, its index in attention_ or moe_ (0 for the others).
  std::vector<size_t> tableIndex_;
  std::vector<std::vector<uint64_t>> moeHostTables_;
  std::vector<int32_t> moeCounts_;
  DevicePtr moeScratch_ = 0;
};

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_GPUFUNCTION_H
