//===- EmuTestUtil.h - helpers for the CUDA emulator tests ------*- C++ -*-===//
#ifndef SSMC_TEST_UNIT_CUDAEMU_EMUTESTUTIL_H
#define SSMC_TEST_UNIT_CUDAEMU_EMUTESTUTIL_H

#include "codegen/cuda/CUDAPreamble.h"
#include "test/cudaemu/CudaEmulator.h"

#include <gtest/gtest.h>

namespace ssmc::cudaemu::test {

/// Compiles the preamble followed by |kernel|, as the emitter lays a kernel
/// out; null (and a test failure) when that fails.
inline std::unique_ptr<EmulatedKernel> compileKernel(
    const char *kernel, const std::string &entryName,
    const std::vector<std::pair<std::string, int64_t>> &defines = {}) {
  ssmrt::StatusOr<std::unique_ptr<EmulatedKernel>> compiled =
      EmulatedKernel::compile(std::string(mlir::ssm::kCUDAPreamble) + kernel,
                              entryName, defines);
  EXPECT_TRUE(compiled.ok()) << compiled.status().message();
  return compiled.ok() ? std::move(*compiled) : nullptr;
}

} // namespace ssmc::cudaemu::test

#endif // SSMC_TEST_UNIT_CUDAEMU_EMUTESTUTIL_H
