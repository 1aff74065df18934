//===- HostMemory.h - how much host memory there is ----------*- C++ -*-===//
//
// Asked before large allocations (a session's buffers, a growing KV cache),
// so that running out is one message naming the sizes, not std::bad_alloc.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_HOSTMEMORY_H
#define SSMC_RUNTIME_IO_HOSTMEMORY_H

#include <cstdint>
#include <string>

namespace ssmrt {

/// The memory the kernel says is available to a new allocation
/// (MemAvailable in /proc/meminfo), or -1 when it cannot tell.
int64_t availableMemory();

/// |bytes| as "1.5 GiB", "12.0 MiB", "512 bytes".
std::string formatBytes(int64_t bytes);

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_HOSTMEMORY_H
