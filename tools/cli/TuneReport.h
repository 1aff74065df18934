//===- TuneReport.h - what ssmc tune prints ----------------------*- C++ -*-===//
//
// The report of a tuning run (one line, or one JSON object: docs/tuning.md)
// and the listing of a tuning database (--show), for ssmc tune and
// ssmc-run tune.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TOOLS_CLI_TUNEREPORT_H
#define SSMC_TOOLS_CLI_TUNEREPORT_H

#include "runtime/tuning/TuningDb.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Console.h"
#include "tools/cli/TuningOptions.h"

#include <string>
#include <vector>

namespace ssmc::cli {

struct TuneReport {
  ssmrt::DeviceKey key;
  std::string dbPath;
  int threads = 0; ///< CPU threads (0 on a GPU)
  int64_t batch = 1, promptLen = 1;
  double elapsedSeconds = 0, budgetSeconds = 0;
  bool outOfBudget = false;
  std::vector<ssmrt::KernelTuneResult> kernels;
};

/// The options ssmc tune and ssmc-run tune share.
struct TuneFlags {
  int64_t batch = 1, promptLen = 512, seed = 0;
  double budgetSeconds = 300;
  bool json = false, show = false, quiet = false;
  TuningFlags tuning;
};
/// Registers --batch, --prompt-len, --budget, --seed, --show, --json, -q
/// and --tuning-db.
void addTuneOptions(ArgParser &parser, TuneFlags &flags);

/// Prints |report| (stdout), and on stderr a warning if the budget ran out.
void printTuneReport(const TuneReport &report, bool json, const Console &console);

/// Lists what the database at |path| holds for |key| (stdout); 1 when it
/// cannot be read.
int showTuningDb(const std::string &path, const ssmrt::DeviceKey &key, bool json,
                 const Console &console);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_TUNEREPORT_H
