//===- StateMemory.cpp - host memory for states ---------------------------===//
#include "runtime/exec/StateMemory.h"
#include "runtime/io/HostMemory.h"

#include <cstdlib>
#include <cstring>

using namespace ssmrt;

StatusOr<uint64_t> HostStateMemory::allocate(size_t bytes, const std::string &what) {
  void *p = std::calloc(bytes ? bytes : 1, 1);
  if (!p)
    return Status::error("out of memory allocating " + std::to_string(bytes) + " bytes for " +
                         what);
  return reinterpret_cast<uint64_t>(p);
}

void HostStateMemory::release(uint64_t address) { std::free(reinterpret_cast<void *>(address)); }

Status HostStateMemory::copy(uint64_t dst, uint64_t src, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(dst), reinterpret_cast<const void *>(src), bytes);
  return okStatus();
}

Status HostStateMemory::upload(uint64_t dst, const void *src, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return okStatus();
}

Status HostStateMemory::download(void *dst, uint64_t src, size_t bytes) {
  std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
  return okStatus();
}

int64_t HostStateMemory::available() const { return availableMemory(); }
