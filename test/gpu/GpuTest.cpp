//===- GpuTest.cpp - the CUDA kernels and executor on a real GPU ----------===//
//
// Needs an NVIDIA GPU; every test skips with the reason when there is none.
// Reads the artifacts that `tools/gpu-check.sh prepare` compiles (directory
// $SSMC_GPU_TEST_ARTIFACTS, default test/gpu/artifacts under the build):
// odd-{fp32,bf16}-{fold,nofold}.ssmx, from test/gpu/odd.ssm (d_inner 200,
// d_state 16, dt_rank 7), odd-mamba2-*.ssmx and odd-hybrid-{fp32,bf16}.ssmx
// (Jamba-like: attention and a mixture of experts). Builds with the runtime alone (no MLIR), so it
// runs on GPU machines that have only CUDA, cmake and a C++ compiler.
//
//   - every kernel vs the float64 reference on random inputs, odd sizes:
//     seqlen 1, 7, 2047, 65537, batch 3 with unequal lengths; relative L2
//     error <= 1e-5 in fp32 and <= 1e-2 in bf16, NaN never passes, every
//     defined output written (results poisoned first);
//   - whole-model logits vs the float64 reference interpreter;
//   - chunked prefill then decode (CUDA graphs, KV caches growing between
//     replays) equal to one prefill.
//
//===----------------------------------------------------------------------===//
#include "runtime/artifact/Artifact.h"
#include "runtime/gpu/CudaDevice.h"
#include "runtime/gpu/GpuExecutor.h"
#include "runtime/gpu/KernelCase.h"
#include "runtime/reference/ReferenceInterpreter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <gtest/gtest.h>
#include <set>

using namespace ssmrt;
using namespace ssmrt::gpu;

namespace {

std::string artifactPath(const std::string &name) {
  const char *dir = std::getenv("SSMC_GPU_TEST_ARTIFACTS");
  return std::string(dir ? dir : SSMC_GPU_TEST_ARTIFACTS_DEFAULT) + "/" + name + ".ssmx";
}

/// The GPU, or a skip naming why there is none.
#define REQUIRE_GPU(device)                                                                        \
  auto device##Or = openCudaDevice(0);                                                             \
  if (!device##Or.ok())                                                                            \
    GTEST_SKIP() << "no GPU: " << device##Or.status().message();                                   \
  std::unique_ptr<GpuDevice> device = std::move(*device##Or)

#define LOAD_ARTIFACT(program, name)                                                               \
  StatusOr<Program> program##Or = readArtifactFile(artifactPath(name));                            \
  ASSERT_TRUE(program##Or.ok()) << program##Or.status().message()                                  \
                                << " (run tools/gpu-check.sh prepare)";                            \
  const Program &program = *program##Or

struct Case {
  std::string artifact;
  double tolerance;
};

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  std::string n = info.param.artifact;
  for (char &c : n)
    if (c == '-')
      c = '_';
  return n;
}

class GpuKernels : public ::testing::TestWithParam<Case> {};

TEST_P(GpuKernels, MatchFloat64) {
  REQUIRE_GPU(device);
  LOAD_ARTIFACT(program, GetParam().artifact);
  WeightStore weights = WeightStore::random(program, 17);
  struct Shape {
    int64_t batch, seq;
    std::vector<int32_t> lens;
    bool longOnly; // only the kernels that walk time (conv, scan)
  };
  const std::vector<Shape> forwardShapes = {{1, 1, {}, false},
                                            {3, 7, {7, 5, 1}, false},
                                            {1, 2047, {}, false},
                                            {3, 2047, {2047, 1000, 1}, true},
                                            {1, 65537, {}, true}};
  const std::vector<Shape> decodeShapes = {{1, 1, {}, false}, {3, 1, {}, false}};
  std::set<std::string> seen;
  int checked = 0;
  for (const Function *f : {&program.cuda.forward, &program.cuda.decode}) {
    bool decode = f == &program.cuda.decode;
    for (size_t i = 0; i < f->instrs.size(); ++i) {
      const Instr &in = f->instrs[i];
      if (in.kernel < 0 || !seen.insert(program.cuda.kernels[in.kernel].name).second)
        continue;
      bool walksTime = in.op == OpCode::SelectiveScan || in.op == OpCode::SSDScan ||
                       in.op == OpCode::CausalConv1d;
      for (const Shape &s : decode ? decodeShapes : forwardShapes) {
        if (s.longOnly && !walksTime)
          continue;
        KernelCaseOptions o;
        o.batch = s.batch;
        o.seq = s.seq;
        o.seqLens = s.lens;
        o.seed = 1000 + checked;
        auto kc = KernelCase::create(program, *f, i, *device, weights, o);
        ASSERT_TRUE(kc.ok()) << kc.status().message();
        ASSERT_TRUE((*kc)->launch().ok());
        auto err = (*kc)->compareWithReference();
        ASSERT_TRUE(err.ok()) << err.status().message();
        EXPECT_LE(*err, GetParam().tolerance) << (*kc)->kernel().name << " (" << opCodeName(in.op)
                                              << ") at batch " << s.batch << ", seq " << s.seq;
        std::printf("  %-28s batch %lld seq %6lld  error %.3g\n", (*kc)->kernel().name.c_str(),
                    (long long)s.batch, (long long)s.seq, *err);
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 10);
}

INSTANTIATE_TEST_SUITE_P(
    Artifacts, GpuKernels,
    ::testing::Values(Case{"odd-fp32-fold", 1e-5}, Case{"odd-fp32-nofold", 1e-5},
                      Case{"odd-bf16-fold", 1e-2}, Case{"odd-bf16-nofold", 1e-2},
                      Case{"odd-mamba2-fp32", 1e-5}, Case{"odd-mamba2-bf16", 1e-2}),
    caseName);

/// max |got - want| / max |want|; +inf with NaN.
double relativeError(const float *got, const double *want, size_t n) {
  double err = 0, ref = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(got[i]) || std::isnan(want[i]))
      return INFINITY;
    err = std::max(err, std::fabs(got[i] - want[i]));
    ref = std::max(ref, std::fabs(want[i]));
  }
  return ref > 0 ? err / ref : err;
}

std::vector<int32_t> randomTokens(size_t n, int32_t vocab, uint32_t seed) {
  std::vector<int32_t> t(n);
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    t[i] = static_cast<int32_t>((seed >> 8) % vocab);
  }
  return t;
}

/// Logits [batch, seq, vocab] of the reference function with fresh states.
RefTensor referenceLogits(const Program &program, const WeightStore &weights,
                          const std::vector<int32_t> &tokens, int64_t batch, int64_t seq) {
  std::vector<RefTensor> params;
  for (size_t p = 0; p < program.params.size(); ++p) {
    int64_t n = 1;
    for (int64_t d : program.params[p].shape)
      n *= d;
    params.emplace_back(program.params[p].shape,
                        std::vector<double>(weights.param(p), weights.param(p) + n));
  }
  const Function &f = program.reference;
  std::vector<RefTensor> states;
  for (size_t i = 2; i < f.inputs.size(); ++i) {
    std::vector<int64_t> shape = f.values[f.inputs[i]].shape;
    shape[0] = batch;
    std::replace(shape.begin(), shape.end(), kDynamic, int64_t(0)); // empty KV caches
    states.emplace_back(shape);
  }
  ReferenceInterpreter interpreter(program, f, std::move(params));
  RefTensor logits;
  Status st = interpreter.run(tokens, batch, seq, {}, states, logits);
  EXPECT_TRUE(st.ok()) << st.message();
  return logits;
}

class GpuModel : public ::testing::TestWithParam<Case> {};

TEST_P(GpuModel, LogitsMatchTheReferenceAndChunkingDoesNotMatter) {
  REQUIRE_GPU(device);
  LOAD_ARTIFACT(program, GetParam().artifact);
  WeightStore weights = WeightStore::random(program, 23);
  GpuExecutorOptions options;
  options.slots = 3;
  options.maxTokens = 3 * 64;
  auto executor = GpuExecutor::create(program, weights, std::move(device), options);
  ASSERT_TRUE(executor.ok()) << executor.status().message();
  GpuExecutor &gpu = **executor;
  const int64_t batch = 3, seq = 41;
  int64_t vocab = gpu.vocabSize();
  std::vector<int32_t> tokens = randomTokens(batch * seq, 300, 5);
  std::vector<int32_t> lens(batch, seq);
  std::vector<int64_t> rows(batch * seq);
  for (int64_t r = 0; r < batch * seq; ++r)
    rows[r] = r;
  std::vector<float> logits(rows.size() * vocab);
  StepInputs in{tokens.data(), batch, seq, lens.data(), &rows, logits.data()};
  ASSERT_TRUE(gpu.run(false, {0, 1, 2}, in).ok());
  RefTensor want = referenceLogits(program, weights, tokens, batch, seq);
  ASSERT_EQ(want.data.size(), logits.size());
  double err = relativeError(logits.data(), want.data.data(), logits.size());
  std::printf("  model logits vs float64: %.3g\n", err);
  EXPECT_LE(err, GetParam().tolerance * 10);

  // Sequence 0 again: 30 tokens of prefill then 11 decode steps (graphs)
  // end where one prefill of all 41 does.
  ASSERT_TRUE(gpu.reset(0).ok());
  std::vector<int32_t> head(tokens.begin(), tokens.begin() + 30);
  std::vector<int32_t> headLen = {30};
  std::vector<int64_t> last = {29};
  std::vector<float> step(vocab);
  StepInputs prefill{head.data(), 1, 30, headLen.data(), &last, step.data()};
  ASSERT_TRUE(gpu.run(false, {0}, prefill).ok());
  std::vector<int32_t> one = {1};
  std::vector<int64_t> row0 = {0};
  for (int64_t t = 30; t < seq; ++t) {
    StepInputs d{&tokens[t], 1, 1, one.data(), &row0, step.data()};
    ASSERT_TRUE(gpu.run(true, {0}, d).ok());
  }
  std::vector<float> whole(logits.begin() + (seq - 1) * vocab, logits.begin() + seq * vocab);
  std::vector<double> wholeD(whole.begin(), whole.end());
  double chunkErr = relativeError(step.data(), wholeD.data(), vocab);
  std::printf("  chunked prefill + %lld decode steps vs one prefill: %.3g (graphs: %s)\n",
              (long long)(seq - 30), chunkErr, gpu.usingGraphs() ? "yes" : "no");
  EXPECT_LE(chunkErr, GetParam().tolerance * 10);
}

INSTANTIATE_TEST_SUITE_P(Artifacts, GpuModel,
                         ::testing::Values(Case{"odd-fp32-fold", 1e-5},
                                           Case{"odd-bf16-nofold", 1e-2},
                                           Case{"odd-mamba2-bf16", 1e-2},
                                           Case{"odd-hybrid-fp32", 1e-5},
                                           Case{"odd-hybrid-bf16", 1e-2}),
                         caseName);

} // namespace
