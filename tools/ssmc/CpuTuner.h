//===- CpuTuner.h - measures CPU kernel configurations ----------*- C++ -*-===//
//
// `ssmc tune --device cpu`: for every distinct kernel of @forward (at
// batch x prompt-len tokens) and @decode (one token per sequence, after a
// prefill), each valid configuration (CPUTiles.h) runs that kernel's first
// instruction on the inputs a default-configured run gave it; its outputs
// must match the default's (else it is recorded as rejected) and it is
// timed (median of several runs, steady clock). A program is compiled per
// vector width; chunks per thread are a runtime setting of its kernels.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TOOLS_SSMC_CPUTUNER_H
#define SSMC_TOOLS_SSMC_CPUTUNER_H

#include "codegen/driver/TunablePrograms.h"
#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/tuning/TuningDb.h"
#include "tools/cli/Console.h"
#include "tools/cli/TuneReport.h"

#include <functional>
#include <string>
#include <vector>

namespace ssmc {

struct CpuTuneRequest {
  int64_t batch = 1, promptLen = 512;
  double budgetSeconds = 300;
  int threads = 0;
  uint64_t seed = 0;
  std::string dbPath;
  int defaultVectorWidth = 16; ///< the width the compiler uses by default
  /// Compiles the model with the compile-time parameters of a
  /// configuration (all but chunks_per_thread) on every kernel that has
  /// them.
  std::function<ssmrt::StatusOr<CpuTunable>(const ssmrt::TuneConfig &compileTime)> compile;
};

/// Tunes, appending every measurement to the database of |key| as each
/// kernel is done (an interrupted run keeps the kernels it finished).
ssmrt::StatusOr<cli::TuneReport> tuneCpu(const CpuTuneRequest &request, const ssmrt::DeviceKey &key,
                                         cli::Console &console);

} // namespace ssmc

#endif // SSMC_TOOLS_SSMC_CPUTUNER_H
