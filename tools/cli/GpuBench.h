//===- GpuBench.h - model and kernel benchmarks on a GPU --------*- C++ -*-===//
#ifndef SSMC_TOOLS_CLI_GPUBENCH_H
#define SSMC_TOOLS_CLI_GPUBENCH_H

#include "runtime/engine/Session.h"
#include "tools/cli/Console.h"

#include <string>
#include <vector>

namespace ssmc::cli {

/// Prefill and decode of a session running on a GPU, against the device's
/// measured ceilings: decode against weight bytes over copy bandwidth per
/// step, prefill against the model's matrix products timed through cuBLAS.
/// With |profile|, also the device time per op of one more prefill and its
/// decode steps, each instruction timed alone (no graphs).
int runGpuModelBench(ssmrt::Session &session, const std::vector<std::vector<int32_t>> &prompts,
                     int64_t gen, int64_t repeats, bool json, bool profile, Console &console);

struct KernelBenchOptions {
  std::string op;     ///< e.g. "selective_scan"
  std::string device; ///< "auto", "cuda" or "cuda:N"
  int64_t batch = 1, seq = 1, repeats = 20;
  uint64_t seed = 1;
  std::vector<ssmrt::TileParam> tiles; ///< tile parameters to override
  bool check = false;                  ///< compare with the float64 reference first
  bool json = false;
};

/// Times the artifact's kernel for |options.op| on random inputs and
/// reports it against each floor: bytes over copy bandwidth, special-
/// function operations over their measured rate, FLOPs over the FP32 rate.
int runKernelBench(const ssmrt::Program &program, const KernelBenchOptions &options,
                   Console &console);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_GPUBENCH_H
