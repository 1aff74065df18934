//===- BenchTiming.cpp - host timing helpers of the benchmarks ------------===//
#include "tools/cli/BenchTiming.h"

#include "runtime/artifact/OpInfo.h"

std::string ssmc::cli::profileJson(const std::vector<double> &times, double scale) {
  std::string json = "{";
  for (size_t op = 0; op < times.size(); ++op) {
    if (times[op] <= 0)
      continue;
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s\"%s\": %.6g", json.size() > 1 ? ", " : "",
                  ssmrt::opCodeName(static_cast<ssmrt::OpCode>(op)), times[op] * scale);
    json += buf;
  }
  return json + "}";
}
