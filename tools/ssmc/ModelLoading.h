//===- ModelLoading.h - load a model file for a command ---------*- C++ -*-===//
#ifndef SSMC_TOOLS_SSMC_MODELLOADING_H
#define SSMC_TOOLS_SSMC_MODELLOADING_H

#include "frontend/ModelFile.h"
#include "tools/cli/Console.h"

#include <memory>

namespace ssmc {

/// Loads |path| with the -I directories and the standard library: a .ssm
/// file, or a Hugging Face checkpoint directory whose config.json is
/// imported as a model file. On error prints the diagnostic (through
/// |console| unless it is a model file's) and returns null.
std::unique_ptr<fe::ModelFile> loadModelFile(const std::string &path,
                                             const std::vector<std::string> &includeDirs,
                                             const cli::Console &console);

} // namespace ssmc

#endif // SSMC_TOOLS_SSMC_MODELLOADING_H
