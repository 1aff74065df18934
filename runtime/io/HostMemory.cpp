//===- HostMemory.cpp - how much host memory there is ---------------------===//
#include "runtime/io/HostMemory.h"

#include <cstdio>
#include <fstream>

using namespace ssmrt;

int64_t ssmrt::availableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    long long kib;
    if (std::sscanf(line.c_str(), "MemAvailable: %lld kB", &kib) == 1)
      return static_cast<int64_t>(kib) * 1024;
  }
  return -1;
}

std::string ssmrt::formatBytes(int64_t bytes) {
  char buf[64];
  if (bytes >= (int64_t(1) << 30))
    std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(int64_t(1) << 30));
  else if (bytes >= (int64_t(1) << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / double(int64_t(1) << 20));
  else
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  return buf;
}
