//===- ProgramSources.h - SOURCE arguments of ssmc run and bench -*- C++ -*-===//
#ifndef SSMC_TOOLS_SSMC_PROGRAMSOURCES_H
#define SSMC_TOOLS_SSMC_PROGRAMSOURCES_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "tools/cli/Console.h"
#include "tools/cli/TuningOptions.h"

#include <string>

namespace ssmc {

/// Turns SOURCE into a Program: a .ssmx artifact is read; a .ssm model file
/// is compiled for this CPU (and, unless |device| is "cpu", for the GPU
/// that would run it, when there is one); a Hugging Face checkpoint directory has its
/// config.json imported as a model file, which is compiled, and becomes the
/// weights directory. Compiled programs are cached on disk by the content of
/// every source file, the compiler version and the target, so a model is
/// compiled once. Notes (a damaged cache entry, a model with no CUDA code)
/// and the progress of compiling go to |console|.
/// The CPU kernels are built with the configurations of the tuning database
/// |tuning| names (TuningOptions.h), which is part of the cache key.
ssmrt::StatusOr<ssmrt::Program> loadProgramSource(const std::string &source,
                                                  std::string &weightsDir,
                                                  const std::string &device,
                                                  const TuningFlags &tuning, cli::Console &console);

} // namespace ssmc

#endif // SSMC_TOOLS_SSMC_PROGRAMSOURCES_H
