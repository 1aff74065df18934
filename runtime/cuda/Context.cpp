//===- Context.cpp - a GPU's primary context and a stream -----------------===//
#include "runtime/cuda/Context.h"

#include <utility>

using namespace ssmrt;
using namespace ssmrt::cuda;

StatusOr<Context> Context::create(int ordinal) {
  StatusOr<DeviceInfo> device = findDevice(ordinal);
  if (!device.ok())
    return device.status();
  // findDevice succeeded, so the driver is loaded and initialized.
  const DriverSymbols &cu = **DriverSymbols::load();
  Context context(&cu, std::move(*device));
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(cu, cuDeviceGet, &context.handle_, ordinal));
  SSMRT_RETURN_IF_ERROR(
      SSMRT_CU_CALL(cu, cuDevicePrimaryCtxRetain, &context.context_, context.handle_));
  SSMRT_RETURN_IF_ERROR(context.makeCurrent());
  // Non-blocking: the stream does not wait for the legacy default stream,
  // which stream capture would otherwise trip over.
  SSMRT_RETURN_IF_ERROR(
      SSMRT_CU_CALL(cu, cuStreamCreate, &context.stream_, CU_STREAM_NON_BLOCKING));
  return context;
}

Context::Context(Context &&other) noexcept
    : driver_(other.driver_), device_(std::move(other.device_)), handle_(other.handle_),
      context_(std::exchange(other.context_, nullptr)),
      stream_(std::exchange(other.stream_, nullptr)) {}

Context &Context::operator=(Context &&other) noexcept {
  if (this != &other) {
    release();
    driver_ = other.driver_;
    device_ = std::move(other.device_);
    handle_ = other.handle_;
    context_ = std::exchange(other.context_, nullptr);
    stream_ = std::exchange(other.stream_, nullptr);
  }
  return *this;
}

Context::~Context() { release(); }

void Context::release() {
  // Errors here have nowhere to go; the driver reclaims everything at exit.
  if (stream_)
    driver_->cuStreamDestroy_v2(std::exchange(stream_, nullptr));
  if (context_) {
    driver_->cuDevicePrimaryCtxRelease_v2(handle_);
    context_ = nullptr;
  }
}

Status Context::makeCurrent() const { return SSMRT_CU_CALL(*driver_, cuCtxSetCurrent, context_); }

Status Context::synchronize() const {
  return SSMRT_CU_CALL(*driver_, cuStreamSynchronize, stream_);
}

StatusOr<MemoryInfo> Context::memoryInfo() const {
  MemoryInfo info;
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*driver_, cuMemGetInfo_v2, &info.free, &info.total));
  return info;
}
