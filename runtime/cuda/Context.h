//===- Context.h - a GPU's primary context and a stream ---------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_CONTEXT_H
#define SSMC_RUNTIME_CUDA_CONTEXT_H

#include "runtime/Status.h"
#include "runtime/cuda/Device.h"
#include "runtime/cuda/DriverSymbols.h"

namespace ssmrt::cuda {

/// Free and total device memory, in bytes.
struct MemoryInfo {
  size_t free = 0;
  size_t total = 0;
};

/// The device's primary context (the one the CUDA runtime API and libraries
/// like cuBLAS share) made current on the creating thread, and one
/// non-blocking stream that all work of the wrappers in this folder goes to.
/// Objects created from a Context keep only the stream and the process-wide
/// driver table, so a Context may be moved, but must outlive them.
class Context {
public:
  /// Retains device |ordinal|'s primary context; fails like findDevice when
  /// there is no GPU.
  static StatusOr<Context> create(int ordinal = 0);

  Context(Context &&other) noexcept;
  Context &operator=(Context &&other) noexcept;
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;
  ~Context();

  /// Makes the context current on the calling thread (driver calls act on
  /// the calling thread's current context).
  Status makeCurrent() const;
  /// Waits until all work on the stream has finished.
  Status synchronize() const;
  StatusOr<MemoryInfo> memoryInfo() const;

  const DeviceInfo &device() const { return device_; }
  const DriverSymbols &driver() const { return *driver_; }
  CUstream stream() const { return stream_; }

private:
  Context(const DriverSymbols *driver, DeviceInfo device)
      : driver_(driver), device_(std::move(device)) {}
  void release();

  const DriverSymbols *driver_ = nullptr;
  DeviceInfo device_;
  CUdevice handle_ = 0;
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
};

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_CONTEXT_H
