//===- BenchTiming.h - host timing helpers of the benchmarks ----*- C++ -*-===//
#ifndef SSMC_TOOLS_CLI_BENCHTIMING_H
#define SSMC_TOOLS_CLI_BENCHTIMING_H

#include <algorithm>
#include <chrono>
#include <vector>

namespace ssmc::cli {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// The median (the upper one of an even count) of |v|, which is not empty.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_BENCHTIMING_H
