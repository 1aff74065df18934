//===- DeviceBuffer.cpp - device memory and copies to and from it ---------===//
#include "runtime/cuda/DeviceBuffer.h"

#include <utility>

using namespace ssmrt;
using namespace ssmrt::cuda;

StatusOr<DeviceBuffer> DeviceBuffer::allocate(const Context &context, size_t size) {
  const DriverSymbols &cu = context.driver();
  SSMRT_RETURN_IF_ERROR(context.makeCurrent());
  CUdeviceptr pointer = 0;
  CUresult result = cu.cuMemAlloc_v2(&pointer, size);
  if (result == CUDA_ERROR_OUT_OF_MEMORY) {
    std::string message = "out of device memory allocating " + std::to_string(size) + " bytes";
    if (StatusOr<MemoryInfo> memory = context.memoryInfo(); memory.ok())
      message +=
          " (free: " + std::to_string(memory->free) + " of " + std::to_string(memory->total) + ")";
    return Status::error(message);
  }
  SSMRT_RETURN_IF_ERROR(cu.check(result, "cuMemAlloc_v2"));
  return DeviceBuffer(&cu, context.stream(), pointer, size);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept
    : driver_(other.driver_), stream_(other.stream_), pointer_(std::exchange(other.pointer_, 0)),
      size_(std::exchange(other.size_, 0)) {}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    if (pointer_)
      driver_->cuMemFree_v2(pointer_);
    driver_ = other.driver_;
    stream_ = other.stream_;
    pointer_ = std::exchange(other.pointer_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() {
  if (pointer_)
    driver_->cuMemFree_v2(pointer_);
}

Status DeviceBuffer::checkRange(size_t size, size_t offset, const char *what) const {
  if (offset > size_ || size > size_ - offset)
    return Status::error(std::string(what) + " of " + std::to_string(size) + " bytes at offset " +
                         std::to_string(offset) + " overruns a " + std::to_string(size_) +
                         "-byte device buffer");
  return okStatus();
}

Status DeviceBuffer::upload(const void *host, size_t size, size_t offset) {
  SSMRT_RETURN_IF_ERROR(checkRange(size, offset, "upload"));
  SSMRT_RETURN_IF_ERROR(
      SSMRT_CU_CALL(*driver_, cuMemcpyHtoDAsync_v2, pointer_ + offset, host, size, stream_));
  // From pageable memory the copy may still read |host| after the call
  // returns; waiting lets the caller reuse it at once.
  return SSMRT_CU_CALL(*driver_, cuStreamSynchronize, stream_);
}

Status DeviceBuffer::download(void *host, size_t size, size_t offset) const {
  SSMRT_RETURN_IF_ERROR(checkRange(size, offset, "download"));
  SSMRT_RETURN_IF_ERROR(
      SSMRT_CU_CALL(*driver_, cuMemcpyDtoHAsync_v2, host, pointer_ + offset, size, stream_));
  return SSMRT_CU_CALL(*driver_, cuStreamSynchronize, stream_);
}

Status DeviceBuffer::fill(uint8_t value) {
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*driver_, cuMemsetD8Async, pointer_, value, size_, stream_));
  return SSMRT_CU_CALL(*driver_, cuStreamSynchronize, stream_);
}
