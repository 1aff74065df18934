//===- Device.h - finding a CUDA GPU and its architecture -------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_DEVICE_H
#define SSMC_RUNTIME_CUDA_DEVICE_H

#include "runtime/Status.h"

#include <cstddef>
#include <string>

namespace ssmrt::cuda {

/// What the runtime needs to know about a GPU to pick and compile kernels.
struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int ccMajor = 0;
  int ccMinor = 0;
  size_t totalMemory = 0;
  int multiprocessorCount = 0;
  /// The most shared memory one block may use, after opting in with
  /// setMaxDynamicSharedMemory (above the default 48 KiB).
  int maxSharedMemoryPerBlockOptin = 0;
  /// As cuDriverGetVersion reports it: 1000 * major + 10 * minor.
  int driverVersion = 0;
};

/// Initializes the driver and describes GPU |ordinal|. When there is no GPU
/// to use (no driver library, cuInit failing, zero devices) the error is one
/// line, "no CUDA GPU found: <reason>", fit to print as a test's skip reason.
StatusOr<DeviceInfo> findDevice(int ordinal = 0);

/// The NVRTC/ptxas architecture of compute capability |ccMajor|.|ccMinor|:
/// archName(9, 0) == "sm_90", archName(12, 0) == "sm_120".
std::string archName(int ccMajor, int ccMinor);

/// "NVIDIA H200 (sm_90, 132 SMs, 139.8 GiB, driver 13.0)".
std::string describe(const DeviceInfo &device);

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_DEVICE_H
