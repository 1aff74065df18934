//===- SSDKernelTest.cpp - Mamba-2's kernels against float64 --------------===//
//
// ssm.ssd_scan (discretization, D skip and z gate fused) and
// ssm.gated_rmsnorm as one-op functions through ssmc run-op's runner: CPU
// kernels of both vector widths and the CUDA kernels in the host emulator
// (the scan in fp32, bf16 and fp16: recurrent and chunked on tensor cores)
// against the float64 reference interpreter,
// on random inputs (never zeros). Shapes cover n_groups 1, 2 and 8, head_dim
// 32 and 64 (and 24), d_state 16 to 256 (and 20, not a multiple of a
// vector), chunk sizes 64 and 256, 1 to 4097 tokens, a batch of three
// sequences of lengths 7, 3 and 0 starting from a given state, the time
// step clamp, and the CPU kernel's own chunk at 16 and 64 steps.
// Tolerance: max|got - ref| / max|ref| <= 1e-5 (fp32), 1e-2 (bf16), 5e-3
// (fp16) for the output and the final state; NaN never passes.
//
//===----------------------------------------------------------------------===//
#include "test/cudaemu/EmulatedDevice.h"
#include "test/unit/e2e/RunOpTestUtil.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace ssmc;
using namespace ssmc::test;

namespace {

constexpr double kTolerance = 1e-5;
/// The GPU's dtypes: f32 runs kernels/ssd.cuh, bf16 and fp16 the tensor-core
/// kernels/ssd_chunked.cuh on inputs rounded to that type.
constexpr std::pair<const char *, double> kGpuTolerances[] = {
    {"fp32", kTolerance}, {"bf16", 1e-2}, {"fp16", 5e-3}};

struct SSDCase {
  int64_t heads, headDim, state, groups;
  int64_t batch = 1, seq = 7;
  int64_t chunk = 256;
  bool withD = true, withZ = false, withBias = true, withState = true, softplus = true;
  std::vector<int32_t> lens; ///< per batch row; empty: all |seq|
  std::string limits;        ///< e.g. ", dt_max = 0.1 : f64"
  int64_t cpuChunk = 0;      ///< the CPU kernel's chunk (ssm.cpu_tiles); 0: its default
};

std::string ssdFunction(const SSDCase &c) {
  auto act = [](int64_t w) { return "tensor<?x?x" + std::to_string(w) + "xf32>"; };
  std::string vec = "tensor<" + std::to_string(c.heads) + "xf32>";
  std::string width = act(c.heads * c.headDim), bc = act(c.groups * c.state);
  std::string state = "tensor<?x" + std::to_string(c.heads) + "x" + std::to_string(c.headDim) +
                      "x" + std::to_string(c.state) + "xf32>";
  std::vector<std::pair<std::string, std::string>> args = {
      {"x", width}, {"dt", act(c.heads)}, {"A", vec}, {"B", bc}, {"C", bc}};
  std::string operands = "%x, %dt, %A, %B, %C";
  auto optional = [&](bool present, const std::string &keyword, const std::string &name,
                      const std::string &type) {
    if (!present)
      return;
    args.push_back({name, type});
    operands += " " + keyword + " %" + name;
  };
  optional(c.withD, "D", "D", vec);
  optional(c.withZ, "z", "z", width);
  optional(c.withBias, "dt_bias", "db", vec);
  optional(c.withState, "state", "h0", state);
  optional(!c.lens.empty(), "lens", "lens", "tensor<?xi32>");
  std::ostringstream f, types;
  f << "func.func @f(";
  for (size_t i = 0; i < args.size(); ++i) {
    f << (i ? ", " : "") << "%" << args[i].first << ": " << args[i].second;
    types << (i ? ", " : "") << args[i].second;
  }
  f << ") -> (" << width << ", " << state << ") {\n"
    << "  %y, %s = ssm.ssd_scan " << operands << " {chunk_size = " << c.chunk << " : i64"
    << (c.softplus ? ", dt_softplus" : "") << c.limits << ", groups = " << c.groups
    << " : i64, head_dim = " << c.headDim << " : i64, heads = " << c.heads << " : i64"
    << (c.cpuChunk ? ", ssm.cpu_tiles = {chunk = " + std::to_string(c.cpuChunk) + " : i64}" : "")
    << "} : (" << types.str() << ") -> (" << width << ", " << state << ")\n"
    << "  return %y, %s : " << width << ", " << state << "\n}\n";
  return f.str();
}

std::vector<OpTensor> ssdInputs(const SSDCase &c, uint64_t seed) {
  int64_t b = c.batch, l = c.seq, h = c.heads, gn = c.groups * c.state;
  // Raw dt around softplus⁻¹ of [0.01, 0.3] (or that range itself without
  // the softplus); A in [-8, -0.5] as -exp(A_log) of trained models.
  std::vector<Arg> args = {{{b, l, h * c.headDim}},
                           {{b, l, h}, c.softplus ? -4.0f : 0.01f, c.softplus ? -1.5f : 0.3f},
                           {{h}, -8.0f, -0.5f},
                           {{b, l, gn}},
                           {{b, l, gn}}};
  if (c.withD)
    args.push_back({{h}, 0.5f, 1.5f});
  if (c.withZ)
    args.push_back({{b, l, h * c.headDim}, -3.0f, 3.0f});
  if (c.withBias)
    args.push_back({{h}, -1.0f, 0.5f});
  if (c.withState)
    args.push_back({{b, h, c.headDim, c.state}});
  std::vector<OpTensor> inputs = randomInputs(args, seed);
  if (!c.lens.empty())
    inputs.push_back({"arg" + std::to_string(inputs.size()), {b}, true, {}, c.lens});
  return inputs;
}

/// The float64 reference's outputs for the one op of |source|, after
/// checking the CPU kernels of both vector widths against them.
std::vector<OpTensor> checkCpuKernels(const std::string &source, const char *op,
                                      const std::vector<OpTensor> &inputs) {
  RunOpOptions reference;
  reference.reference = true;
  std::vector<OpTensor> want = runSource(source, op, inputs, reference).outputs;
  for (int vectorWidth : {8, 16}) {
    SCOPED_TRACE("vector width " + std::to_string(vectorWidth));
    RunOpOptions cpu;
    cpu.vectorWidth = vectorWidth;
    RunOpResult got = runSource(source, op, inputs, cpu);
    EXPECT_FALSE(got.trace.empty());
    if (!got.trace.empty()) {
      EXPECT_NE(got.trace.back().find("CPU kernel"), std::string::npos) << got.trace.back();
    }
    expectClose(got.outputs, want, kTolerance);
  }
  return want;
}

void checkSSD(const SSDCase &c, uint64_t seed) {
  std::string source = ssdFunction(c);
  SCOPED_TRACE(source);
  std::vector<OpTensor> inputs = ssdInputs(c, seed);
  std::vector<OpTensor> want = checkCpuKernels(source, "ssd_scan", inputs);
  // The CUDA kernels in the host emulator: the recurrent one in f32, the
  // chunked tensor-core one in bf16 and fp16.
  ssmc::cudaemu::EmulatedDevice device;
  for (auto [dtype, tolerance] : kGpuTolerances) {
    SCOPED_TRACE(std::string("CUDA emulator, ") + dtype);
    RunOpOptions cuda;
    cuda.cuda = true;
    cuda.gpuDtype = dtype;
    RunOpResult got = runSource(source, "ssd_scan", inputs, cuda, &device);
    ASSERT_FALSE(got.trace.empty());
    EXPECT_NE(got.trace.back().find("CUDA kernel"), std::string::npos) << got.trace.back();
    expectClose(got.outputs, want, tolerance);
  }
}

// The CPU kernel's own chunk is a tuning parameter (ssm.cpu_tiles chunk 16,
// 32, 64): each computes the same function, across chunk boundaries.
TEST(SSDKernel, CpuChunkLengths) {
  for (int64_t chunk : {16, 64})
    for (int64_t seq : {1, 15, 17, 65, 130}) {
      SSDCase c{4, 24, 20, 2};
      c.seq = seq;
      c.batch = 2;
      c.lens = {static_cast<int32_t>(seq), static_cast<int32_t>(seq / 2)};
      c.cpuChunk = chunk;
      std::string source = ssdFunction(c);
      SCOPED_TRACE(source);
      checkCpuKernels(source, "ssd_scan", ssdInputs(c, 900 + seq + chunk));
    }
}

TEST(SSDKernel, Groups) {
  for (int64_t groups : {1, 2, 8})
    checkSSD({8, 32, 16, groups}, 10 + groups);
}

TEST(SSDKernel, HeadDimsAndStateSizes) {
  for (int64_t headDim : {24, 32, 64})
    for (int64_t state : {16, 20, 64, 128, 256})
      checkSSD({4, headDim, state, 2}, 100 + headDim * 1000 + state);
}

TEST(SSDKernel, SequenceLengthsAndChunks) {
  for (int64_t seq : {1, 7, 255, 256, 257, 4097})
    for (int64_t chunk : {64, 256}) {
      SSDCase c{4, 32, 64, 2};
      c.seq = seq;
      c.chunk = chunk;
      checkSSD(c, 200 + seq + chunk);
    }
}

TEST(SSDKernel, BatchOfLengthsSevenThreeAndZero) {
  SSDCase c{6, 32, 16, 3};
  c.batch = 3;
  c.lens = {7, 3, 0};
  checkSSD(c, 301);
  c.withState = false;
  checkSSD(c, 302);
}

TEST(SSDKernel, OptionalOperands) {
  SSDCase gated{4, 32, 16, 1};
  gated.withZ = true;
  checkSSD(gated, 401);
  SSDCase bare{4, 32, 16, 1};
  bare.withD = bare.withBias = bare.withState = bare.softplus = false;
  checkSSD(bare, 402);
}

// HF's time_step_limit: Δ (mostly in [0.01, 0.2] here) clamped on both
// sides, or above only.
TEST(SSDKernel, TimeStepLimits) {
  SSDCase both{4, 32, 16, 2};
  both.seq = 40;
  both.limits = ", dt_max = 1.000000e-01 : f64, dt_min = 5.000000e-02 : f64";
  checkSSD(both, 451);
  SSDCase above = both;
  above.limits = ", dt_max = 8.000000e-02 : f64";
  checkSSD(above, 452);
}

TEST(SSDKernel, Mamba2_130mHead) {
  SSDCase c{24, 64, 128, 1};
  c.seq = 33;
  checkSSD(c, 501);
}

// Discretization and gate written as ops of their own: --ssm-fuse-ssd-scan
// folds them (the trace shows one kernel), and the result equals the
// reference run of the unfused function.
TEST(SSDKernel, FusedFromSeparateOps) {
  const std::string source = R"(
func.func @f(%x: tensor<?x?x64xf32>, %dt: tensor<?x?x4xf32>, %bias: tensor<4xf32>, %A: tensor<4xf32>,
             %B: tensor<?x?x40xf32>, %C: tensor<?x?x40xf32>, %D: tensor<4xf32>, %z: tensor<?x?x64xf32>)
    -> tensor<?x?x64xf32> {
  %d = ssm.add %dt, %bias : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  %sp = ssm.softplus %d : tensor<?x?x4xf32>
  %y, %s = ssm.ssd_scan %x, %sp, %A, %B, %C D %D {groups = 2 : i64, head_dim = 16 : i64, heads = 4 : i64} : (tensor<?x?x64xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x40xf32>, tensor<?x?x40xf32>, tensor<4xf32>) -> (tensor<?x?x64xf32>, tensor<?x4x16x20xf32>)
  %g = ssm.silu %z : tensor<?x?x64xf32>
  %out = ssm.mul %y, %g : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  return %out : tensor<?x?x64xf32>
}
)";
  std::vector<OpTensor> inputs = randomInputs({{{2, 9, 64}},
                                               {{2, 9, 4}, -4.0f, -1.5f},
                                               {{4}, -1.0f, 0.5f},
                                               {{4}, -8.0f, -0.5f},
                                               {{2, 9, 40}},
                                               {{2, 9, 40}},
                                               {{4}, 0.5f, 1.5f},
                                               {{2, 9, 64}, -3.0f, 3.0f}},
                                              601);
  RunOpOptions reference;
  reference.reference = true;
  std::vector<OpTensor> want = runSource(source, "chain", inputs, reference).outputs;
  RunOpResult got = runSource(source, "chain", inputs, RunOpOptions());
  // Besides the weights (ssm.param), one op ran: the fused scan.
  std::vector<std::string> ops;
  for (const std::string &line : got.trace)
    if (line.rfind("ssm.param:", 0) != 0)
      ops.push_back(line);
  ASSERT_EQ(ops.size(), 1u) << "the chain did not fuse into one kernel: " << ops.back();
  EXPECT_NE(ops[0].find("ssm.ssd_scan: CPU kernel"), std::string::npos) << ops[0];
  expectClose(got.outputs, want, kTolerance);
}

//===----------------------------------------------------------------------===//
// Gated RMSNorm
//===----------------------------------------------------------------------===//

void checkGatedNorm(int64_t width, int64_t groupSize, bool normBeforeGate, int64_t seq,
                    uint64_t seed) {
  std::string act = "tensor<?x?x" + std::to_string(width) + "xf32>";
  std::string vec = "tensor<" + std::to_string(width) + "xf32>";
  std::ostringstream f;
  f << "func.func @f(%x: " << act << ", %z: " << act << ", %w: " << vec << ") -> " << act
    << " {\n  %y = ssm.gated_rmsnorm %x, %z, %w {eps = 1.0e-05 : f64, group_size = " << groupSize
    << " : i64, norm_before_gate = " << (normBeforeGate ? "true" : "false") << "} : (" << act
    << ", " << act << ", " << vec << ") -> " << act << "\n  return %y : " << act << "\n}\n";
  std::string source = f.str();
  SCOPED_TRACE(source);
  std::vector<OpTensor> inputs = randomInputs(
      {{{2, seq, width}, -2.0f, 2.0f}, {{2, seq, width}, -3.0f, 3.0f}, {{width}, 0.5f, 1.5f}},
      seed);
  std::vector<OpTensor> want = checkCpuKernels(source, "gated_rmsnorm", inputs);
  if (seq > 7)
    return; // the emulator runs a host thread per CUDA thread: short rows only
  RunOpOptions cuda;
  cuda.cuda = true;
  ssmc::cudaemu::EmulatedDevice device;
  RunOpResult got = runSource(source, "gated_rmsnorm", inputs, cuda, &device);
  ASSERT_FALSE(got.trace.empty());
  EXPECT_NE(got.trace.back().find("CUDA kernel"), std::string::npos) << got.trace.back();
  expectClose(got.outputs, want, kTolerance);
}

TEST(GatedNormKernel, GroupsAndOddWidths) {
  for (bool before : {false, true})
    for (int64_t seq : {1, 7, 257}) {
      checkGatedNorm(64, 64, before, seq, 600 + seq);
      checkGatedNorm(96, 48, before, seq, 700 + seq);
      checkGatedNorm(8 * 37, 37, before, seq, 800 + seq);
      checkGatedNorm(1536, 1536, before, seq, 900 + seq);
    }
}

} // namespace
