//===- RunOpTest.cpp - ssmc run-op's runner on the CPU and emulated CUDA --===//
//
// The functions of test/Inputs/*.mlir, and one function per elementwise op
// of the op table, compiled and run op by op on random inputs, with CPU
// kernels (both vector widths) and with CUDA kernels on the host CUDA
// emulator (fp32), against the float64 reference interpreter: relative
// error max|got - ref| / max|ref| <= 1e-5 per result; NaN never passes.
//
//===----------------------------------------------------------------------===//
#include "test/cudaemu/EmulatedDevice.h"
#include "test/unit/e2e/RunOpTestUtil.h"

#include "runtime/artifact/OpInfo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

using namespace ssmc;
using namespace ssmc::test;

namespace {

std::vector<OpTensor> run(const std::string &file, const std::vector<OpTensor> &inputs,
                          RunOpOptions options, ssmrt::gpu::GpuDevice *device = nullptr) {
  std::string path = std::string(std::getenv("SSMC_SOURCE_DIR")) + "/test/Inputs/" + file;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_TRUE(in.good()) << path;
  return runSource(text.str(), path, inputs, options, device).outputs;
}

std::vector<Arg> scanArgs(int64_t batch, int64_t seq) {
  return {{{batch, seq, 40}}, {{batch, seq, 40}},   {{40, 5}, -2.0f, -0.5f},
          {{batch, seq, 5}},  {{batch, seq, 5}},    {{40}},
          {{batch, seq, 40}}, {{40}, -4.0f, -2.0f}, {{batch, 40, 5}}};
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

/// One function of the elementwise op |op|, in generic form (defaults for
/// its attributes): a unary op of [batch, seq, width]; a binary op of two
/// such activations, or, with |weightRhs|, of one and a [width] weight.
std::string elementwiseFunction(const ssmrt::OpInfo &op, int64_t width, bool weightRhs) {
  std::string act = "tensor<?x?x" + std::to_string(width) + "xf32>";
  std::string rhs = weightRhs ? "tensor<" + std::to_string(width) + "xf32>" : act;
  bool binary = op.form == ssmrt::OpForm::Binary;
  std::string args = "%a: " + act + (binary ? ", %b: " + rhs : "");
  std::string operands = binary ? "%a, %b" : "%a";
  std::string types = binary ? act + ", " + rhs : act;
  return "func.func @f(" + args + ") -> " + act + " {\n  %r = \"ssm." + op.name + "\"(" + operands +
         ") : (" + types + ") -> " + act + "\n  return %r : " + act + "\n}\n";
}

// Every elementwise op of the table, on CPU kernels of both vector widths
// and on emulated CUDA kernels: an op added to the table (docs/adding-an-op.md)
// is checked here without a new test. Inputs in [-4, 4]; widths 1, 37 and
// 130 (not multiples of a vector or a block); 1, 7 and 4097 tokens.
TEST(RunOp, ElementwiseOpsOfTheTableOnEveryBackend) {
  int checked = 0;
  for (const ssmrt::OpInfo &op : ssmrt::allOps()) {
    if (op.form != ssmrt::OpForm::Unary && op.form != ssmrt::OpForm::Binary)
      continue;
    for (bool weightRhs : {false, true}) {
      if (weightRhs && op.form != ssmrt::OpForm::Binary)
        continue;
      for (auto [batch, seq, width] :
           {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {2, 7, 37}, {1, 4097, 130}}) {
        std::string source = elementwiseFunction(op, width, weightRhs);
        std::vector<Arg> args = {{{batch, seq, width}, -4.0f, 4.0f}};
        if (op.form == ssmrt::OpForm::Binary)
          args.push_back(weightRhs ? Arg{{width}, -4.0f, 4.0f}
                                   : Arg{{batch, seq, width}, -4.0f, 4.0f});
        std::vector<OpTensor> inputs = randomInputs(args, 17 + checked);
        SCOPED_TRACE(source);
        RunOpOptions reference;
        reference.reference = true;
        std::vector<OpTensor> want = runSource(source, op.name, inputs, reference).outputs;
        for (int vectorWidth : {8, 16}) {
          RunOpOptions cpu;
          cpu.vectorWidth = vectorWidth;
          RunOpResult got = runSource(source, op.name, inputs, cpu);
          ASSERT_FALSE(got.trace.empty());
          EXPECT_NE(got.trace.back().find("CPU kernel"), std::string::npos) << got.trace.back();
          expectClose(got.outputs, want);
        }
        RunOpOptions cuda;
        cuda.cuda = true;
        ssmc::cudaemu::EmulatedDevice device;
        RunOpResult got = runSource(source, op.name, inputs, cuda, &device);
        ASSERT_FALSE(got.trace.empty());
        EXPECT_NE(got.trace.back().find("CUDA kernel"), std::string::npos) << got.trace.back();
        expectClose(got.outputs, want);
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 6 * 3);
}

} // namespace
