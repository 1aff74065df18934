//===- DeviceBuffer.h - device memory and copies to and from it -*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_DEVICEBUFFER_H
#define SSMC_RUNTIME_CUDA_DEVICEBUFFER_H

#include "runtime/Status.h"
#include "runtime/cuda/Context.h"

#include <cstddef>
#include <cstdint>

namespace ssmrt::cuda {

/// |size| bytes of device memory, freed when destroyed. Copies and fills go
/// through the context's stream and return when they are done, so they are
/// ordered after the kernels launched before them.
class DeviceBuffer {
public:
  /// Fails with "out of device memory allocating N bytes (free: F of T)"
  /// when the device has too little.
  static StatusOr<DeviceBuffer> allocate(const Context &context, size_t size);

  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer();

  /// Copies |size| bytes from |host| to offset |offset|.
  Status upload(const void *host, size_t size, size_t offset = 0);
  /// Copies |size| bytes at offset |offset| to |host|.
  Status download(void *host, size_t size, size_t offset = 0) const;
  /// Sets every byte to |value|.
  Status fill(uint8_t value);

  CUdeviceptr pointer() const { return pointer_; }
  size_t size() const { return size_; }
  /// The pointer's address, as a kernel argument (see launch()).
  void *argument() { return &pointer_; }

private:
  DeviceBuffer(const DriverSymbols *driver, CUstream stream, CUdeviceptr pointer, size_t size)
      : driver_(driver), stream_(stream), pointer_(pointer), size_(size) {}
  Status checkRange(size_t size, size_t offset, const char *what) const;

  const DriverSymbols *driver_ = nullptr;
  CUstream stream_ = nullptr;
  CUdeviceptr pointer_ = 0;
  size_t size_ = 0;
};

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_DEVICEBUFFER_H
