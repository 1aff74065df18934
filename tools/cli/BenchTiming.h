//===- BenchTiming.h - host timing helpers of the benchmarks ----*- C++ -*-===//
#ifndef SSMC_TOOLS_CLI_BENCHTIMING_H
#define SSMC_TOOLS_CLI_BENCHTIMING_H

#include "runtime/engine/Session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace ssmc::cli {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// One timed run of a benchmark: the slots reset, |prompts| prefilled into
/// slots 0.., then |gen| decode steps feeding token 1; the seconds of each.
inline ssmrt::Status timeRun(ssmrt::Session &s, const std::vector<std::vector<int32_t>> &prompts,
                             int64_t gen, double &prefillSeconds, double &decodeSeconds) {
  int64_t batch = static_cast<int64_t>(prompts.size());
  std::vector<int64_t> slots(batch);
  for (int64_t b = 0; b < batch; ++b) {
    slots[b] = b;
    SSMRT_RETURN_IF_ERROR(s.reset(b));
  }
  std::vector<std::vector<float>> logits;
  std::vector<float> stepLogits;
  std::vector<int32_t> next(batch, 1);
  Clock::time_point t0 = Clock::now();
  SSMRT_RETURN_IF_ERROR(s.prefill(slots, prompts, ssmrt::Session::Logits::Last, logits));
  Clock::time_point t1 = Clock::now();
  for (int64_t i = 0; i < gen; ++i)
    SSMRT_RETURN_IF_ERROR(s.decode(slots, next, stepLogits));
  Clock::time_point t2 = Clock::now();
  prefillSeconds = seconds(t0, t1);
  decodeSeconds = seconds(t1, t2);
  return ssmrt::okStatus();
}

/// The median (the upper one of an even count) of |v|, which is not empty.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// "min-max" of |v| (not empty) with |digits| decimals, as a spread to
/// print beside a median.
inline std::string spread(const std::vector<double> &v, int digits = 1) {
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.*f-%.*f", digits, *lo, digits, *hi);
  return buf;
}

/// |times| (seconds by op code) times |scale| as a JSON object
/// {"op": value, ...}, ops with no time left out.
std::string profileJson(const std::vector<double> &times, double scale);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_BENCHTIMING_H
