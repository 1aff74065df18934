//===- EmulatedDevice.h - a GpuDevice on the host, for tests ----*- C++ -*-===//
//
// Runs the GPU executor's logic without a GPU: device memory is host
// memory, kernels run in the CUDA emulator (CudaEmulator.h), matrix
// products are plain loops over the stored dtypes with f32 accumulation,
// and there are no graphs (capture() returns -1). A cooperative kernel gets
// at most |residentBlocks| blocks, so that the emulator can run them all at
// once.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_CUDAEMU_EMULATEDDEVICE_H
#define SSMC_TEST_CUDAEMU_EMULATEDDEVICE_H

#include "CudaEmulator.h"
#include "runtime/gpu/GpuDevice.h"

#include <map>

namespace ssmc::cudaemu {

class EmulatedDevice final : public ssmrt::gpu::GpuDevice {
public:
  explicit EmulatedDevice(int64_t residentBlocks = 4) : resident_(residentBlocks) {}
  ~EmulatedDevice() override;

  std::string describe() const override { return "CUDA emulator (host)"; }
  int multiprocessors() const override { return 1; }
  ssmrt::StatusOr<ssmrt::gpu::DevicePtr> allocate(size_t bytes, const std::string &what) override;
  void release(ssmrt::gpu::DevicePtr p) override;
  ssmrt::Status upload(ssmrt::gpu::DevicePtr dst, const void *src, size_t bytes) override;
  ssmrt::Status download(void *dst, ssmrt::gpu::DevicePtr src, size_t bytes) override;
  ssmrt::Status copy(ssmrt::gpu::DevicePtr dst, ssmrt::gpu::DevicePtr src, size_t bytes) override;
  ssmrt::StatusOr<int> loadKernel(const ssmrt::CudaKernelDesc &kernel,
                                  const std::vector<ssmrt::TileParam> &overrides) override;
  ssmrt::StatusOr<int64_t> residentBlocks(int kernel, unsigned threads) override {
    return resident_;
  }
  ssmrt::Status launch(int kernel, const ssmrt::gpu::LaunchDims &dims,
                       const std::vector<ssmrt::gpu::KernelArg> &args, bool cooperative) override;
  ssmrt::Status gemm(const ssmrt::gpu::GemmArgs &g) override;
  ssmrt::Status synchronize() override { return ssmrt::okStatus(); }
  ssmrt::StatusOr<int> capture(const std::function<ssmrt::Status()> &body) override { return -1; }
  ssmrt::Status replay(int graph) override;
  ssmrt::StatusOr<double> timeMs(const std::function<ssmrt::Status()> &work) override;

  /// Launches so far (for tests of the executor's schedule).
  int64_t launches() const { return launches_; }

private:
  int64_t resident_;
  std::map<ssmrt::gpu::DevicePtr, size_t> allocations_;
  std::vector<std::unique_ptr<EmulatedKernel>> kernels_;
  /// Compiled kernels by source and defines: every test compiles each once.
  std::map<std::string, int> loaded_;
  int64_t launches_ = 0;
};

} // namespace ssmc::cudaemu

#endif // SSMC_TEST_CUDAEMU_EMULATEDDEVICE_H
