//===- Version.h - what --version prints ------------------------*- C++ -*-===//
#ifndef SSMC_TOOLS_CLI_VERSION_H
#define SSMC_TOOLS_CLI_VERSION_H

#include <string>

namespace ssmc::cli {

/// The lines of `<tool> --version`: the version and git commit of this
/// build, |compiler| (the LLVM/MLIR it was built with, or that it has
/// none), and what of CUDA this machine has: the driver and a GPU, NVRTC,
/// cuBLAS (each found or why not).
std::string versionText(const std::string &tool, const std::string &compiler);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_VERSION_H
