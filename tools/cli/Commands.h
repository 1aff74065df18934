//===- Commands.h - run and bench, shared by ssmc and ssmc-run --*- C++ -*-===//
#ifndef SSMC_TOOLS_CLI_COMMANDS_H
#define SSMC_TOOLS_CLI_COMMANDS_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Console.h"
#include "tools/cli/TuningOptions.h"

#include <functional>
#include <string>
#include <vector>

namespace ssmc::cli {

/// How a tool turns the SOURCE argument into a Program. ssmc compiles model
/// files and checkpoint directories; ssmc-run reads only .ssmx artifacts.
/// When SOURCE is a checkpoint directory the loader sets |weightsDir| to it.
/// |device| (--device) lets a compiling loader add CUDA code for the GPU
/// that will run it, and |tuning| (--tuning-db, --no-tuning) build its CPU
/// kernels with tuned configurations. Notes and progress go to |console|.
struct ProgramLoader {
  std::function<ssmrt::StatusOr<ssmrt::Program>(const std::string &source, std::string &weightsDir,
                                                const std::string &device,
                                                const TuningFlags &tuning, Console &console)>
      load;
  std::string sourceHelp; ///< for --help: what SOURCE may be
};

/// `<tool> run SOURCE ...`: generate text (or ids, or logits).
int runRunCommand(const std::string &tool, const std::vector<std::string> &args,
                  const ProgramLoader &loader);
/// `<tool> bench SOURCE ...`: prefill and decode throughput against bounds.
int runBenchCommand(const std::string &tool, const std::vector<std::string> &args,
                    const ProgramLoader &loader);

/// `<tool> perplexity SOURCE ... -f TEXT`: the model's NLL on a text.
int runPerplexityCommand(const std::string &tool, const std::vector<std::string> &args,
                         const ProgramLoader &loader);

/// `<tool> cache (list | clean)`: the cache directory's entries.
int runCacheCommand(const std::string &tool, const std::vector<std::string> &args);

/// Loads a .ssmx artifact (the loader of ssmc-run, and of ssmc for .ssmx).
ssmrt::StatusOr<ssmrt::Program> loadArtifact(const std::string &path);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_COMMANDS_H
