//===- DeviceKey.h - the exact device a tuning result holds for -*- C++ -*-===//
//
// Tuning results are valid for one device only: a key names everything
// that changes which configuration is fastest. For a CPU: its model name,
// the ISA features the kernels can use, the hardware threads and the cache
// sizes. The key's text is written at the head of a tuning database and
// compared exactly when it is read.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TUNING_DEVICEKEY_H
#define SSMC_RUNTIME_TUNING_DEVICEKEY_H

#include <string>
#include <utility>
#include <vector>

namespace ssmrt {

struct DeviceKey {
  std::string kind; ///< "cpu" (or "cuda")
  /// (name, value) pairs, in a fixed order.
  std::vector<std::pair<std::string, std::string>> fields;

  /// "cpu: model=...; features=...; threads=...; ..." (one line).
  std::string text() const;
  /// 16 hex digits of the text's SHA-256: a file name.
  std::string id() const;
};

/// The CPU this process runs on, from /proc/cpuinfo and
/// /sys/devices/system/cpu/cpu0/cache (fields that cannot be read are
/// "unknown").
DeviceKey cpuDeviceKey();

} // namespace ssmrt

#endif // SSMC_RUNTIME_TUNING_DEVICEKEY_H
