//===- GpuExecutor.h - the program on a GPU ---------------------*- C++ -*-===//
//
// The CUDA functions of an artifact on a GpuDevice: weights uploaded once,
// every slot's recurrent state in device memory, token ids and lengths
// uploaded per call, logits downloaded. Decode steps on consecutive slots
// are captured as a CUDA graph per (batch size, first slot) and replayed.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_GPUEXECUTOR_H
#define SSMC_RUNTIME_GPU_GPUEXECUTOR_H

#include "runtime/exec/Executor.h"
#include "runtime/gpu/GpuFunction.h"

#include <map>

namespace ssmrt::gpu {

struct GpuExecutorOptions {
  int64_t slots = 8;
  int64_t maxTokens = 4096; ///< token rows per @forward call
  bool graphs = true;       ///< replay decode steps as CUDA graphs
  /// Per kernel, tiles to compile it with instead of the compiled ones
  /// (tunedTiles(); empty: none).
  std::vector<std::vector<TileParam>> tiles;
};

class GpuExecutor final : public Executor {
public:
  /// Fails when the artifact has no CUDA code or the device cannot load it.
  static StatusOr<std::unique_ptr<GpuExecutor>> create(const Program &program,
                                                       const WeightStore &weights,
                                                       std::unique_ptr<GpuDevice> device,
                                                       GpuExecutorOptions options);
  ~GpuExecutor() override;

  std::string describe() const override { return device_->describe(); }
  /// Kernels loaded with tiles from the tuning database.
  int tunedKernels() const {
    int n = 0;
    for (const std::vector<TileParam> &t : options_.tiles)
      n += !t.empty();
    return n;
  }
  int64_t vocabSize() const override { return forward_->vocabSize(); }
  int64_t weightBytes() const override { return decode_->weightBytes(); }
  Status run(bool decode, const std::vector<int64_t> &slots, const StepInputs &in) override;

  GpuDevice &device() { return *device_; }
  GpuFunction &prefillFunction() { return *forward_; }
  GpuFunction &decodeFunction() { return *decode_; }
  /// Whether decode steps are replayed as graphs (false after a capture
  /// failed, or when the device has none).
  bool usingGraphs() const { return options_.graphs; }

private:
  /// Device memory for the StateStore.
  class StateMemory final : public ssmrt::StateMemory {
  public:
    explicit StateMemory(GpuDevice &device) : device_(device) {}
    StatusOr<uint64_t> allocate(size_t bytes, const std::string &what) override {
      return device_.allocate(bytes, what);
    }
    void release(uint64_t p) override { device_.release(p); }
    Status copy(uint64_t dst, uint64_t src, size_t bytes) override {
      return device_.copy(dst, src, bytes);
    }
    Status upload(uint64_t dst, const void *src, size_t bytes) override {
      return device_.upload(dst, src, bytes);
    }
    Status download(void *dst, uint64_t src, size_t bytes) override {
      return device_.download(dst, src, bytes);
    }

  private:
    GpuDevice &device_;
  };

  GpuExecutor(const Program &program, std::unique_ptr<GpuDevice> device, GpuExecutorOptions options)
      : program_(program), device_(std::move(device)), options_(options) {}
  StatusOr<DevicePtr> alloc(size_t bytes, const std::string &what);
  Status ensureLogits(DevicePtr &buffer, int64_t &capacity, int64_t rows);

  const Program &program_;
  std::unique_ptr<GpuDevice> device_;
  GpuExecutorOptions options_;
  std::unique_ptr<GpuWeights> weights_;
  std::unique_ptr<GpuFunction> forward_, decode_;
  std::vector<DevicePtr> owned_;
  DevicePtr tokens_ = 0, lens_ = 0;
  /// The current call (reused: no allocation per call).
  std::vector<DevicePtr> stateAddresses_;
  GpuCall call_;
  DevicePtr prefillLogits_ = 0, decodeLogits_ = 0;
  int64_t prefillLogitRows_ = 0, decodeLogitRows_ = 0;
  std::map<std::pair<int64_t, int64_t>, int> graphs_; // (batch, first slot) -> graph
};

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_GPUEXECUTOR_H
