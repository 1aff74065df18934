//===- KernelSignatureTest.cpp - kernel parameters from source text -------===//
#include "test/cudaemu/KernelSignature.h"

#include <gtest/gtest.h>

using namespace ssmc::cudaemu;

namespace {

TEST(KernelSignatureTest, ReadsTheEmittersSignature) {
  const char *source = R"cuda(
#ifndef THREADS
#define THREADS 128
#endif
// __global__ void decoy(int a) in a comment
extern "C" __global__ void __launch_bounds__((THREADS), 2) mixer_rmsnorm(
    const ssm_bf16 *__restrict__ x, long long ld_x, // the activation
    const float *weight, /* a parameter */ float *workspace,
    unsigned long long seed, unsigned flags, double eps, float scale,
    int batch, int seq) {
}
)cuda";
  ssmrt::StatusOr<std::vector<KernelParam>> params = parseKernelSignature(source, "mixer_rmsnorm");
  ASSERT_TRUE(params.ok()) << params.status().message();
  std::vector<std::string> declarations;
  std::vector<ParamKind> kinds;
  for (const KernelParam &param : *params) {
    declarations.push_back(param.declaration());
    kinds.push_back(param.kind);
  }
  EXPECT_EQ(declarations,
            (std::vector<std::string>{"const ssm_bf16 *__restrict__ x", "long long ld_x",
                                      "const float *weight", "float *workspace",
                                      "unsigned long long seed", "unsigned flags", "double eps",
                                      "float scale", "int batch", "int seq"}));
  EXPECT_EQ(kinds, (std::vector<ParamKind>{ParamKind::Pointer, ParamKind::Int64, ParamKind::Pointer,
                                           ParamKind::Pointer, ParamKind::UInt64, ParamKind::UInt32,
                                           ParamKind::Double, ParamKind::Float, ParamKind::Int32,
                                           ParamKind::Int32}));
}

TEST(KernelSignatureTest, TakesNoParametersAndPlainGlobals) {
  for (const char *source : {"__global__ void k() {}", "extern \"C\" __global__ void k(void) {}"}) {
    ssmrt::StatusOr<std::vector<KernelParam>> params = parseKernelSignature(source, "k");
    ASSERT_TRUE(params.ok()) << params.status().message();
    EXPECT_TRUE(params->empty()) << source;
  }
}

TEST(KernelSignatureTest, NamesTheKernelsWhenTheEntryIsMissing) {
  const char *source = "extern \"C\" __global__ void __launch_bounds__(64) "
                       "a(int n) {}\n__global__ void b(int n) {}\n"
                       "__device__ void c(int n) {}\n";
  ssmrt::StatusOr<std::vector<KernelParam>> params = parseKernelSignature(source, "c");
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.status().message(),
            "kernel 'c' not found in the source; its __global__ functions: "
            "a b");
  params = parseKernelSignature("int main() {}", "k");
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.status().message(), "kernel 'k' not found in the source, "
                                       "which defines no __global__ function");
}

TEST(KernelSignatureTest, RejectsParametersItCannotPass) {
  for (const char *list :
       {"ssm_bf16 value", "float &x", "float x[4]", "unsigned int", "const float *", "short s"}) {
    std::string source = std::string("__global__ void k(int n, ") + list + ") {}";
    ssmrt::StatusOr<std::vector<KernelParam>> params = parseKernelSignature(source, "k");
    ASSERT_FALSE(params.ok()) << list;
    EXPECT_EQ(params.status().message(),
              std::string("kernel 'k': cannot pass parameter 1 '") + list +
                  "' (the emulator passes named pointers, int, unsigned, "
                  "long long, unsigned long long, float and double)");
  }
}

TEST(KernelSignatureTest, StripsCommentsButNotLiterals) {
  EXPECT_EQ(stripComments("a /* b */ c // d\ne \"/* s */\" '/' // x"),
            "a   c  \ne \"/* s */\" '/'  ");
}

TEST(KernelSignatureTest, ShimCallsTheKernelWithEachSlot) {
  std::vector<KernelParam> params = {{"const float *__restrict__", "x", ParamKind::Pointer},
                                     {"long long", "ld", ParamKind::Int64}};
  std::string shim = callShim("k", params);
  EXPECT_NE(shim.find("k((const float *__restrict__)*(void **)args[0], "
                      "*(long long *)args[1]);"),
            std::string::npos)
      << shim;
  EXPECT_NE(shim.find("ssmc_emu_enter(thread);"), std::string::npos) << shim;
}

} // namespace
