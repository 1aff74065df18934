//===- TuningOptions.h - --tuning-db and --no-tuning -------------*- C++ -*-===//
//
// The options of every ssmc command that compiles a model (compile, run,
// bench, perplexity, tune), and which tuning database compilation reads.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TOOLS_CLI_TUNINGOPTIONS_H
#define SSMC_TOOLS_CLI_TUNINGOPTIONS_H

#include "runtime/tuning/DeviceKey.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Console.h"

#include <string>

namespace ssmc {

struct TuningFlags {
  std::string db;   ///< --tuning-db FILE
  bool off = false; ///< --no-tuning
};

/// Registers --tuning-db and --no-tuning (|tune|: ssmc tune's own wording).
void addTuningOptions(cli::ArgParser &parser, TuningFlags &flags, bool tune = false);

/// The database file to write: --tuning-db, else |key|'s in the cache
/// directory (docs/tuning.md), which is created; "" when it cannot be (a
/// warning says why).
std::string tuningDbPath(const TuningFlags &flags, const cli::Console &console,
                         const ssmrt::DeviceKey &key = ssmrt::cpuDeviceKey());

/// The database compilation should read: "" with --no-tuning, when there is
/// none, or when it cannot be read (a one-line warning says why and
/// compilation goes on with the defaults). |digest| gets a hash of its
/// contents, for cache keys ("" without one).
std::string tuningDbToUse(const TuningFlags &flags, const cli::Console &console,
                          std::string &digest);

} // namespace ssmc

#endif // SSMC_TOOLS_CLI_TUNINGOPTIONS_H
