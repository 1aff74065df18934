//===- StateMemory.h - host or device memory for states ---------*- C++ -*-===//
//
// Where the executors keep sequence state: recurrent states (StateStore)
// and KV caches (KVCacheStore), addressed by integers so that the same code
// serves host memory and a GPU's.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_EXEC_STATEMEMORY_H
#define SSMC_RUNTIME_EXEC_STATEMEMORY_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>

namespace ssmrt {

/// Memory addressed by integers: host addresses or device pointers.
class StateMemory {
public:
  virtual ~StateMemory() = default;
  /// |bytes|, zeroed; |what| names it in the error when there is too little.
  virtual StatusOr<uint64_t> allocate(size_t bytes, const std::string &what) = 0;
  virtual void release(uint64_t address) = 0;
  virtual Status copy(uint64_t dst, uint64_t src, size_t bytes) = 0;
  virtual Status upload(uint64_t dst, const void *src, size_t bytes) = 0;
  virtual Status download(void *dst, uint64_t src, size_t bytes) = 0;
  /// Bytes that can still be allocated; -1 when unknown (allocate() then
  /// reports what it cannot get).
  virtual int64_t available() const { return -1; }
};

/// StateMemory on the host: addresses are pointers.
class HostStateMemory final : public StateMemory {
public:
  StatusOr<uint64_t> allocate(size_t bytes, const std::string &what) override;
  void release(uint64_t address) override;
  Status copy(uint64_t dst, uint64_t src, size_t bytes) override;
  Status upload(uint64_t dst, const void *src, size_t bytes) override;
  Status download(void *dst, uint64_t src, size_t bytes) override;
  int64_t available() const override;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_STATEMEMORY_H
