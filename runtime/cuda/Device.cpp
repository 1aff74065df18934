//===- Device.cpp - finding a CUDA GPU and naming its architecture --------===//
#include "runtime/cuda/Device.h"
#include "runtime/cuda/DriverSymbols.h"

#include <cstdio>
#include <utility>

using namespace ssmrt;
using namespace ssmrt::cuda;

/// The driver and its devices, or why the machine has no GPU to use.
static Status initDriver(const DriverSymbols *&cu, int &deviceCount) {
  StatusOr<const DriverSymbols *> symbols = DriverSymbols::load();
  if (!symbols.ok())
    return symbols.status();
  cu = *symbols;
  // cuInit is cheap once done; calling it on every lookup keeps no state here.
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*cu, cuInit, 0));
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*cu, cuDeviceGetCount, &deviceCount));
  if (deviceCount == 0)
    return Status::error("the driver reports 0 devices");
  return okStatus();
}

StatusOr<DeviceInfo> ssmrt::cuda::findDevice(int ordinal) {
  const DriverSymbols *cu = nullptr;
  int count = 0;
  if (Status st = initDriver(cu, count); !st.ok())
    return st.withPrefix("no CUDA GPU found");
  if (ordinal < 0 || ordinal >= count)
    return Status::error("CUDA device " + std::to_string(ordinal) +
                         " does not exist (this machine has " + std::to_string(count) + ")");

  DeviceInfo info;
  info.ordinal = ordinal;
  CUdevice device = 0;
  char name[256] = {};
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*cu, cuDeviceGet, &device, ordinal));
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*cu, cuDeviceGetName, name, sizeof(name) - 1, device));
  info.name = name;
  const std::pair<int *, CUdevice_attribute> attributes[] = {
      {&info.ccMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR},
      {&info.ccMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR},
      {&info.multiprocessorCount, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT},
      {&info.maxSharedMemoryPerBlockOptin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN},
  };
  for (auto [value, attribute] : attributes)
    SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*cu, cuDeviceGetAttribute, value, attribute, device));
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*cu, cuDeviceTotalMem_v2, &info.totalMemory, device));
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*cu, cuDriverGetVersion, &info.driverVersion));
  return info;
}

std::string ssmrt::cuda::archName(int ccMajor, int ccMinor) {
  return "sm_" + std::to_string(ccMajor * 10 + ccMinor);
}

std::string ssmrt::cuda::describe(const DeviceInfo &device) {
  char text[96];
  std::snprintf(text, sizeof(text), "%d SMs, %.1f GiB, driver %d.%d", device.multiprocessorCount,
                device.totalMemory / double(1ull << 30), device.driverVersion / 1000,
                device.driverVersion % 1000 / 10);
  return device.name + " (" + archName(device.ccMajor, device.ccMinor) + ", " + text + ")";
}
