//===- KernelSourcesTest.cpp - the kernel families compile on their own ---===//
//
// Every file of codegen/cuda/kernels/ that the compiler embeds compiles by
// itself after the preamble - NVRTC for sm_80 and sm_90 (the templates are
// parsed and their non-dependent parts checked), and the host compiler with
// the CUDA emulator's header, which is how the tests run emitted kernels.
// Instantiated kernels are checked by CUDA/models-compile.test (NVRTC and
// ptxas) and cuda_kernels_emu_test (the emulator, against float64).
//
//===----------------------------------------------------------------------===//
#include "test/unit/cuda/CudaTestSupport.h"

#include "codegen/cuda/CUDAKernelSources.h"
#include "runtime/cuda/NvrtcCompiler.h"
#include "test/cudaemu/CudaEmulator.h"

#include <gtest/gtest.h>

using namespace mlir::ssm;

namespace {

/// The preamble, |file| (unless it is the preamble) and an empty kernel
/// (the emulator wants an entry point).
std::string standalone(const CUDAKernelSource &file) {
  std::string source = cudaKernelSource("preamble.cuh").str();
  if (llvm::StringRef(file.file) != "preamble.cuh")
    source += std::string("\n") + file.text;
  return source + "\nextern \"C\" __global__ void ssm_check() {}\n";
}

TEST(KernelSources, EveryFamilyIsEmbedded) {
  std::vector<std::string> files;
  for (const CUDAKernelSource &s : cudaKernelSources())
    files.push_back(s.file);
  EXPECT_EQ(files, (std::vector<std::string>{"preamble.cuh", "rows.cuh", "conv.cuh", "scan.cuh",
                                             "ssd.cuh", "ssd_chunked.cuh", "step.cuh",
                                             "attention.cuh", "moe.cuh"}));
}

TEST(KernelSources, CompileWithNvrtc) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  for (const CUDAKernelSource &s : cudaKernelSources())
    for (const char *arch : {"sm_80", "sm_90"}) {
      auto compiled = ssmrt::cuda::compile(standalone(s), s.file, arch,
                                           {"-std=c++17", "--use_fast_math"}, false);
      EXPECT_TRUE(compiled.ok()) << s.file << " " << arch << ": " << compiled.status().message();
    }
}

TEST(KernelSources, CompileForTheEmulator) {
  for (const CUDAKernelSource &s : cudaKernelSources()) {
    auto compiled = ssmc::cudaemu::EmulatedKernel::compile(standalone(s), "ssm_check", {});
    EXPECT_TRUE(compiled.ok()) << s.file << ": " << compiled.status().message();
  }
}

} // namespace
