//===- EmuTestUtil.h - helpers for the CUDA emulator tests ------*- C++ -*-===//
#ifndef SSMC_TEST_UNIT_CUDAEMU_EMUTESTUTIL_H
#define SSMC_TEST_UNIT_CUDAEMU_EMUTESTUTIL_H

#include "test/cudaemu/CudaEmulator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ssmc::cudaemu::test {

/// The file at |path| under the source tree named by $SSMC_SOURCE_DIR (a
/// kernel family, a test model); empty, and a test failure, when missing.
inline std::string sourceFile(const std::string &path) {
  const char *root = std::getenv("SSMC_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/" + path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << path << " not found (set SSMC_SOURCE_DIR)";
  return text.str();
}

/// The CUDA preamble of the emitted kernels.
inline std::string cudaPreamble() { return sourceFile("codegen/cuda/kernels/preamble.cuh"); }

/// Compiles the preamble followed by |kernel|, as the emitter lays a kernel
/// out; null (and a test failure) when that fails.
inline std::unique_ptr<EmulatedKernel>
compileKernel(const char *kernel, const std::string &entryName,
              const std::vector<std::pair<std::string, int64_t>> &defines = {}) {
  ssmrt::StatusOr<std::unique_ptr<EmulatedKernel>> compiled =
      EmulatedKernel::compile(cudaPreamble() + kernel, entryName, defines);
  EXPECT_TRUE(compiled.ok()) << compiled.status().message();
  return compiled.ok() ? std::move(*compiled) : nullptr;
}

} // namespace ssmc::cudaemu::test

#endif // SSMC_TEST_UNIT_CUDAEMU_EMUTESTUTIL_H
