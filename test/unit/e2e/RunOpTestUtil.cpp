//===- RunOpTestUtil.cpp - random inputs and comparisons for run-op tests -===//
#include "test/unit/e2e/RunOpTestUtil.h"
#include "codegen/driver/Compiler.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace ssmc;

std::vector<OpTensor> ssmc::test::randomInputs(const std::vector<Arg> &args, uint64_t seed) {
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

RunOpResult ssmc::test::runSource(const std::string &source, const std::string &what,
                                  const std::vector<OpTensor> &inputs, RunOpOptions options,
                                  ssmrt::gpu::GpuDevice *device) {
  mlir::MLIRContext context;
  loadCompilerDialects(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  EXPECT_TRUE(module) << what;
  if (!module)
    return {};
  ssmrt::StatusOr<RunOpResult> result = runOp(*module, inputs, options, device);
  EXPECT_TRUE(result.ok()) << what << ": " << result.status().message();
  return result.ok() ? *result : RunOpResult{};
}

double ssmc::test::maxRelativeError(const OpTensor &got, const OpTensor &want) {
  if (got.shape != want.shape || got.f32.size() != want.f32.size())
    return INFINITY;
  double err = 0, scale = 0;
  for (size_t i = 0; i < got.f32.size(); ++i) {
    if (std::isnan(got.f32[i]))
      return INFINITY;
    err = std::max(err, std::abs(double(got.f32[i]) - want.f32[i]));
    scale = std::max(scale, std::abs(double(want.f32[i])));
  }
  return scale > 0 ? err / scale : err;
}

void ssmc::test::expectClose(const std::vector<OpTensor> &got, const std::vector<OpTensor> &want,
                             double tolerance) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].shape, want[r].shape) << got[r].name;
    EXPECT_LE(maxRelativeError(got[r], want[r]), tolerance) << got[r].name;
  }
}
