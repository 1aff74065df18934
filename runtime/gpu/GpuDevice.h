//===- GpuDevice.h - what the GPU executor needs from a device --*- C++ -*-===//
//
// The GPU executor (GpuFunction) talks to the device only through this
// interface: memory, the artifact's kernels, matrix products and graph
// capture on one in-order stream. CudaDevice implements it with the CUDA
// driver, NVRTC and cuBLAS; the tests implement it on the host (the kernels
// through the CUDA emulator), so the executor's logic is tested without a
// GPU.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_GPUDEVICE_H
#define SSMC_RUNTIME_GPU_GPUDEVICE_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/tuning/DeviceKey.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt::gpu {

/// A device address (a CUdeviceptr, or a host address on test devices).
using DevicePtr = uint64_t;

/// One kernel argument, as the kernel ABI declares it.
struct KernelArg {
  enum class Kind : uint8_t { Pointer, Int64, Int32 };
  Kind kind;
  uint64_t bits;
  static KernelArg pointer(DevicePtr p) { return {Kind::Pointer, p}; }
  static KernelArg int64(int64_t v) { return {Kind::Int64, static_cast<uint64_t>(v)}; }
  static KernelArg int32(int32_t v) { return {Kind::Int32, static_cast<uint32_t>(v)}; }
};

struct LaunchDims {
  unsigned grid[3] = {1, 1, 1};
  unsigned block = 1;
};

/// Y[rows, out] = X[rows, in] · W[out, in]ᵀ, row-major with leading
/// dimensions (elements) ldx and ldy; W contiguous. X and W have |inType|,
/// Y has |outType|; accumulation in f32.
struct GemmArgs {
  DevicePtr x = 0, w = 0, y = 0;
  int64_t rows = 0, out = 0, in = 0, ldx = 0, ldy = 0;
  ValueType inType = ValueType::F32, outType = ValueType::F32;
};

class GpuDevice {
public:
  virtual ~GpuDevice() = default;

  /// "NVIDIA H200 (sm_90, 132 SMs, 139 GiB)".
  virtual std::string describe() const = 0;
  virtual int multiprocessors() const = 0;

  /// |bytes| of device memory, zeroed; |what| names it in the error when
  /// the device has too little.
  virtual StatusOr<DevicePtr> allocate(size_t bytes, const std::string &what) = 0;
  virtual void release(DevicePtr p) = 0;
  virtual Status upload(DevicePtr dst, const void *src, size_t bytes) = 0;
  virtual Status download(void *dst, DevicePtr src, size_t bytes) = 0;
  /// Device-to-device, in stream order.
  virtual Status copy(DevicePtr dst, DevicePtr src, size_t bytes) = 0;

  /// Compiles (or finds in the cache) and loads |kernel| with its tile
  /// parameters as |overrides| changes them; returns a handle for launch().
  virtual StatusOr<int> loadKernel(const CudaKernelDesc &kernel,
                                   const std::vector<TileParam> &overrides = {}) = 0;
  /// Compiles |kernel| with each of |configs| into the cache, in parallel
  /// where the device can, so that loadKernel() of each finds it compiled
  /// (ssmc tune). Errors surface in loadKernel(). Default: nothing.
  virtual void precompile(const CudaKernelDesc &kernel,
                          const std::vector<std::vector<TileParam>> &configs) {
    (void)kernel;
    (void)configs;
  }
  /// What tuning results on this device are keyed by
  /// (runtime/tuning/DeviceKey.h).
  virtual DeviceKey deviceKey() const { return DeviceKey{"cuda", {{"device", describe()}}}; }
  /// How many blocks of |kernel| with |threads| threads can be resident at
  /// once on the whole device (for cooperative launches).
  virtual StatusOr<int64_t> residentBlocks(int kernel, unsigned threads) = 0;
  virtual Status launch(int kernel, const LaunchDims &dims, const std::vector<KernelArg> &args,
                        bool cooperative) = 0;
  virtual Status gemm(const GemmArgs &args) = 0;
  /// Waits for everything enqueued so far (and reports asynchronous errors).
  virtual Status synchronize() = 0;

  /// Records what |body| enqueues as a graph without running it; returns a
  /// handle for replay(). Devices without graphs return -1 and run nothing.
  virtual StatusOr<int> capture(const std::function<Status()> &body) = 0;
  virtual Status replay(int graph) = 0;

  /// Milliseconds the device spends on what |work| enqueues (events around
  /// it on the stream; waits for it).
  virtual StatusOr<double> timeMs(const std::function<Status()> &work) = 0;
};

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_GPUDEVICE_H
