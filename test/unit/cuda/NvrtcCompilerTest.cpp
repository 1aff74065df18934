//===- NvrtcCompilerTest.cpp - compiling kernels with NVRTC, no GPU -------===//
#include "CudaTestSupport.h"

#include "runtime/cuda/NvrtcCompiler.h"

#include <algorithm>

using namespace ssmrt;
using namespace ssmrt::cuda;
using ssmrt::cuda::test::kSaxpySource;

namespace {

bool isElf(const std::vector<uint8_t> &image) {
  return image.size() > 4 && image[0] == 0x7f && image[1] == 'E' && image[2] == 'L' &&
         image[3] == 'F';
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

TEST(NvrtcCompilerTest, VersionAndTargets) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  StatusOr<NvrtcInfo> info = nvrtcInfo();
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_GE(info->major, 11);
  EXPECT_EQ(info->version(), std::to_string(info->major) + "." + std::to_string(info->minor));
  ASSERT_FALSE(info->supportedArchs.empty());
  EXPECT_TRUE(std::is_sorted(info->supportedArchs.begin(), info->supportedArchs.end()));
  for (int arch : {80, 90})
    EXPECT_NE(std::find(info->supportedArchs.begin(), info->supportedArchs.end(), arch),
              info->supportedArchs.end())
        << "sm_" << arch;
}

class NvrtcArchTest : public ::testing::TestWithParam<const char *> {};

TEST_P(NvrtcArchTest, SaxpyToPtx) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  std::string arch = GetParam();
  StatusOr<CompiledKernel> kernel =
      compile(kSaxpySource, "saxpy", arch, {"--std=c++17"}, /*wantCubin=*/false);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_TRUE(contains(kernel->ptx, ".target " + arch)) << kernel->ptx;
  EXPECT_TRUE(contains(kernel->ptx, ".entry saxpy(")) << kernel->ptx;
  EXPECT_TRUE(kernel->cubin.empty());
  EXPECT_NE(kernel->ptx.back(), '\0');
}

TEST_P(NvrtcArchTest, SaxpyToCubin) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  std::string arch = GetParam();
  StatusOr<CompiledKernel> kernel = compile(kSaxpySource, "saxpy", arch, {}, /*wantCubin=*/true);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_TRUE(isElf(kernel->cubin));
  // The kernel's name is in the ELF symbol table.
  std::string image(kernel->cubin.begin(), kernel->cubin.end());
  EXPECT_TRUE(contains(image, "saxpy"));
}

INSTANTIATE_TEST_SUITE_P(Archs, NvrtcArchTest, ::testing::Values("sm_80", "sm_90"));

TEST(NvrtcCompilerTest, ArchSpecificTarget) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  StatusOr<CompiledKernel> kernel =
      compile(kSaxpySource, "saxpy", "sm_90a", {}, /*wantCubin=*/false);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_TRUE(contains(kernel->ptx, ".target sm_90a"));
}

TEST(NvrtcCompilerTest, VirtualArchGivesPtx) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  StatusOr<CompiledKernel> kernel =
      compile(kSaxpySource, "saxpy", "compute_90", {}, /*wantCubin=*/false);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_TRUE(contains(kernel->ptx, ".target sm_90"));
}

TEST(NvrtcCompilerTest, OptionsReachTheCompiler) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  const char *source = R"(
#ifndef SCALE
#error SCALE must be defined
#endif
extern "C" __global__ void scale(float *x) { x[threadIdx.x] *= SCALE; }
)";
  StatusOr<CompiledKernel> without = compile(source, "scale", "sm_90", {}, false);
  ASSERT_FALSE(without.ok());
  EXPECT_TRUE(contains(without.status().message(), "SCALE must be defined"));
  StatusOr<CompiledKernel> with = compile(source, "scale", "sm_90", {"-DSCALE=3.0f"}, false);
  EXPECT_TRUE(with.ok()) << with.status().message();
}

TEST(NvrtcCompilerTest, SyntaxErrorNamesTheKernelAndCarriesTheLog) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  const char *source = R"(
extern "C" __global__ void broken(float *x) {
  x[threadIdx.x] = undefined_value_xyz;
}
)";
  StatusOr<CompiledKernel> kernel = compile(source, "broken", "sm_90", {}, true);
  ASSERT_FALSE(kernel.ok());
  const std::string &message = kernel.status().message();
  EXPECT_EQ(message.rfind("kernel 'broken': NVRTC ", 0), 0u) << message;
  EXPECT_TRUE(contains(message, "NVRTC_ERROR_COMPILATION")) << message;
  // NVRTC's own words, with the file name we gave it and the line.
  EXPECT_TRUE(contains(message, "broken.cu(3)")) << message;
  EXPECT_TRUE(contains(message, "identifier \"undefined_value_xyz\" is undefined")) << message;
}

TEST(NvrtcCompilerTest, UnsupportedArchIsExplained) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  StatusOr<NvrtcInfo> info = nvrtcInfo();
  ASSERT_TRUE(info.ok());
  StatusOr<CompiledKernel> kernel = compile(kSaxpySource, "saxpy", "sm_35", {}, true);
  ASSERT_FALSE(kernel.ok());
  std::string expected = "NVRTC " + info->version() + " cannot compile for sm_35; supported: sm_" +
                         std::to_string(info->supportedArchs.front()) + " ";
  EXPECT_EQ(kernel.status().message().rfind(expected, 0), 0u) << kernel.status().message();
  EXPECT_TRUE(
      contains(kernel.status().message(), " sm_" + std::to_string(info->supportedArchs.back())));
}

TEST(NvrtcCompilerTest, MalformedArch) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  for (const char *arch : {"hopper", "sm_", "sm_90x", "90", "compute_9z"}) {
    StatusOr<CompiledKernel> kernel = compile(kSaxpySource, "saxpy", arch, {}, false);
    ASSERT_FALSE(kernel.ok()) << arch;
    EXPECT_EQ(kernel.status().message(),
              std::string("kernel 'saxpy': invalid CUDA architecture '") + arch +
                  "' (expected sm_90, sm_90a or compute_90)");
  }
}

TEST(NvrtcCompilerTest, CubinNeedsARealArch) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  StatusOr<CompiledKernel> kernel = compile(kSaxpySource, "saxpy", "compute_90", {}, true);
  ASSERT_FALSE(kernel.ok());
  EXPECT_TRUE(contains(kernel.status().message(), "(use sm_90)")) << kernel.status().message();
}

TEST(NvrtcCompilerTest, ArchOptionsAreRejected) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  StatusOr<CompiledKernel> kernel = compile(kSaxpySource, "saxpy", "sm_90", {"-arch=sm_80"}, true);
  ASSERT_FALSE(kernel.ok());
  EXPECT_TRUE(contains(kernel.status().message(), "'-arch=sm_80'")) << kernel.status().message();
}

} // namespace
