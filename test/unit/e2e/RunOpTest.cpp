//===- RunOpTest.cpp - ssmc run-op's runner on the CPU and emulated CUDA --===//
//
// The functions of test/Inputs/*.mlir compiled and run op by op on random
// inputs, with CPU kernels and with CUDA kernels on the host CUDA emulator
// (fp32), against the float64 reference interpreter: relative error
// max|got - ref| / max|ref| <= 1e-5 per result; NaN never passes.
//
//===----------------------------------------------------------------------===//
#include "codegen/driver/Compiler.h"
#include "codegen/driver/RunOp.h"
#include "test/cudaemu/EmulatedDevice.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace ssmc;

namespace {

struct Arg {
  std::vector<int64_t> shape;
  float lo = -1.0f, hi = 1.0f;
};

std::vector<OpTensor> randomInputs(const std::vector<Arg> &args, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OpTensor> inputs;
  for (size_t i = 0; i < args.size(); ++i) {
    OpTensor t{"arg" + std::to_string(i), args[i].shape, false, {}, {}};
    std::uniform_real_distribution<float> dist(args[i].lo, args[i].hi);
    t.f32.resize(ssmrt::shapeElements(t.shape));
    for (float &v : t.f32)
      v = dist(rng);
    inputs.push_back(std::move(t));
  }
  return inputs;
}

std::vector<OpTensor> run(const std::string &file, const std::vector<OpTensor> &inputs,
                          RunOpOptions options, ssmrt::gpu::GpuDevice *device = nullptr) {
  mlir::MLIRContext context;
  loadCompilerDialects(context);
  std::string path = std::string(std::getenv("SSMC_SOURCE_DIR")) + "/test/Inputs/" + file;
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceFile<mlir::ModuleOp>(path, &context);
  EXPECT_TRUE(module) << path;
  if (!module)
    return {};
  ssmrt::StatusOr<RunOpResult> result = runOp(*module, inputs, options, device);
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? result->outputs : std::vector<OpTensor>{};
}

void expectClose(const std::vector<OpTensor> &got, const std::vector<OpTensor> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].shape, want[r].shape) << got[r].name;
    double err = 0, scale = 0;
    for (size_t i = 0; i < got[r].f32.size(); ++i) {
      ASSERT_FALSE(std::isnan(got[r].f32[i])) << got[r].name << "[" << i << "]";
      err = std::max(err, std::abs(double(got[r].f32[i]) - want[r].f32[i]));
      scale = std::max(scale, std::abs(double(want[r].f32[i])));
    }
    EXPECT_LE(err / scale, 1e-5) << got[r].name;
  }
}

std::vector<Arg> scanArgs(int64_t batch, int64_t seq) {
  return {{{batch, seq, 40}}, {{batch, seq, 40}}, {{40, 5}, -2.0f, -0.5f}, {{batch, seq, 5}},
          {{batch, seq, 5}},  {{40}},             {{batch, seq, 40}},      {{40}, -4.0f, -2.0f},
          {{batch, 40, 5}}};
}

TEST(RunOp, ScanOnCudaKernelsInTheEmulator) {
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 1}, {2, 7}, {1, 33}}) {
    std::vector<OpTensor> inputs = randomInputs(scanArgs(batch, seq), 11);
    RunOpOptions reference;
    reference.reference = true;
    RunOpOptions cuda;
    cuda.cuda = true;
    ssmc::cudaemu::EmulatedDevice device;
    expectClose(run("selective-scan.mlir", inputs, cuda, &device),
                run("selective-scan.mlir", inputs, reference));
  }
}

TEST(RunOp, ChainOnCpuAndCudaKernels) {
  std::vector<OpTensor> inputs = randomInputs({{{3, 5, 12}}, {{20, 12}}, {{20}}}, 5);
  RunOpOptions reference;
  reference.reference = true;
  std::vector<OpTensor> want = run("linear-softplus.mlir", inputs, reference);
  expectClose(run("linear-softplus.mlir", inputs, RunOpOptions()), want);
  RunOpOptions cuda;
  cuda.cuda = true;
  ssmc::cudaemu::EmulatedDevice device;
  expectClose(run("linear-softplus.mlir", inputs, cuda, &device), want);
}

} // namespace
