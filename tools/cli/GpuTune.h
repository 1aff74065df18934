//===- GpuTune.h - tuning the CUDA kernels of a program ---------*- C++ -*-===//
//
// ssmc tune --device cuda and ssmc-run tune: the artifact's CUDA kernels,
// each over its recorded tuning space (runtime/gpu/GpuTuner.h), on the GPU
// the command names; every measurement is appended to the GPU's tuning
// database. No MLIR: a GPU machine without the compiler tunes a compiled
// artifact.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TOOLS_CLI_GPUTUNE_H
#define SSMC_TOOLS_CLI_GPUTUNE_H

#include "runtime/artifact/Program.h"
#include "runtime/gpu/GpuDevice.h"
#include "tools/cli/Console.h"
#include "tools/cli/TuneReport.h"

#include <string>
#include <vector>

namespace ssmc::cli {

struct GpuTuneArgs {
  int64_t batch = 1, promptLen = 512;
  uint64_t seed = 0;
  double budgetSeconds = 300;
  std::string dbPath;
};

ssmrt::StatusOr<TuneReport> tuneOnGpu(const ssmrt::Program &program, ssmrt::gpu::GpuDevice &device,
                                      const GpuTuneArgs &args, Console &console);

/// `<tool> tune ARTIFACT --device cuda[:N] ...` (ssmc-run).
int runArtifactTuneCommand(const std::string &tool, const std::vector<std::string> &args);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_GPUTUNE_H
