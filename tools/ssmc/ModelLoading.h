//===- ModelLoading.h - load a model file for a command ---------*- C++ -*-===//
#ifndef SSMC_TOOLS_SSMC_MODELLOADING_H
#define SSMC_TOOLS_SSMC_MODELLOADING_H

#include "frontend/ModelFile.h"

#include <memory>

namespace ssmc {

/// Loads |path| with the -I directories and the standard library; on error
/// prints the diagnostic to stderr and returns null.
std::unique_ptr<fe::ModelFile> loadModelFile(const std::string &path,
                                             const std::vector<std::string> &includeDirs);

} // namespace ssmc

#endif // SSMC_TOOLS_SSMC_MODELLOADING_H
