//===- ModelHarness.cpp - compile a model, run it natively and in f64 -----===//
#include "test/unit/e2e/ModelHarness.h"

#include "codegen/driver/Compiler.h"
#include "frontend/ModelFile.h"
#include "runtime/io/SafeTensorsWriter.h"
#include "runtime/reference/ReferenceInterpreter.h"

#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

using namespace ssmc;
using namespace ssmc::test;

ssmrt::Program ssmc::test::compileModel(const std::string &text, bool foldDeltaProj,
                                        int vectorWidth) {
  CompileOptions options;
  options.foldDeltaProj = foldDeltaProj;
  options.vectorWidth = vectorWidth;
  return compileModel(text, options);
}

ssmrt::Program ssmc::test::compileModel(const std::string &text, const CompileOptions &options) {
  fe::ModelFile file({fe::defaultModelsDir()});
  if (!file.loadText("test.ssm", text)) {
    ADD_FAILURE() << file.error();
    return {};
  }
  mlir::MLIRContext context;
  Compiler compiler(context, file.graph(), file.sources(), options);
  if (failed(compiler.lower()) || failed(compiler.fuse()) ||
      (options.cuda && failed(compiler.lowerCUDA())) || failed(compiler.outline())) {
    ADD_FAILURE() << "compilation failed: " << compiler.error();
    return {};
  }
  mlir::FailureOr<ssmrt::Program> program = compiler.buildProgram();
  if (failed(program)) {
    ADD_FAILURE() << "building the program failed: " << compiler.error();
    return {};
  }
  return std::move(*program);
}

TempCheckpoint::TempCheckpoint(const Tensors &tensors) {
  char pattern[] = "/tmp/ssmc-test-XXXXXX";
  dir_ = mkdtemp(pattern);
  ssmrt::SafeTensorsWriter writer;
  for (const auto &[name, t] : tensors)
    EXPECT_TRUE(writer.addFloats(name, t.shape, t.data.data(), ssmrt::DType::F32).ok());
  EXPECT_TRUE(writer.writeFile(dir_ + "/model.safetensors").ok());
  std::ofstream(dir_ + "/config.json") << "{}\n";
}

TempCheckpoint::~TempCheckpoint() {
  std::remove((dir_ + "/model.safetensors").c_str());
  std::remove((dir_ + "/config.json").c_str());
  std::remove(dir_.c_str());
}

std::unique_ptr<ssmrt::Session> ssmc::test::openSession(const ssmrt::Program &program,
                                                        const TempCheckpoint &checkpoint,
                                                        int64_t slots, int64_t prefillChunk,
                                                        const std::string &weightsDtype) {
  ssmrt::StatusOr<ssmrt::Checkpoint> c = ssmrt::Checkpoint::open(checkpoint.dir());
  if (!c.ok()) {
    ADD_FAILURE() << c.status().message();
    return nullptr;
  }
  ssmrt::SessionOptions options;
  options.slots = slots;
  options.prefillChunk = prefillChunk;
  options.weightsDtype = weightsDtype;
  auto session = ssmrt::Session::create(program, std::make_unique<ssmrt::Checkpoint>(std::move(*c)),
                                        0, options);
  if (!session.ok()) {
    ADD_FAILURE() << session.status().message();
    return nullptr;
  }
  return std::move(*session);
}

ssmrt::RefTensor ssmc::test::referenceLogits(const ssmrt::Program &program, const Tensors &tensors,
                                             const std::vector<int32_t> &tokens, int64_t batch,
                                             int64_t seq, const std::vector<int32_t> &seqLens) {
  std::vector<ssmrt::RefTensor> params;
  for (const ssmrt::ParamDesc &p : program.params) {
    auto it = tensors.find(p.names[0]);
    if (it == tensors.end()) {
      ADD_FAILURE() << "no tensor " << p.names[0];
      return {};
    }
    params.emplace_back(p.shape,
                        std::vector<double>(it->second.data.begin(), it->second.data.end()));
  }
  const ssmrt::Function &f = program.reference;
  std::vector<ssmrt::RefTensor> states;
  for (size_t i = 2; i < f.inputs.size(); ++i) {
    std::vector<int64_t> shape = f.values[f.inputs[i]].shape;
    shape[0] = batch;
    // A KV cache [batch, kv_heads, tokens, head_dim] starts empty.
    std::replace(shape.begin(), shape.end(), ssmrt::kDynamic, int64_t(0));
    states.emplace_back(shape);
  }
  ssmrt::ReferenceInterpreter interpreter(program, f, std::move(params));
  ssmrt::RefTensor logits;
  ssmrt::Status st = interpreter.run(tokens, batch, seq, seqLens, states, logits);
  if (!st.ok())
    ADD_FAILURE() << st.message();
  return logits;
}

double ssmc::test::relativeError(const float *got, const double *want, size_t n) {
  double maxErr = 0, maxRef = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(got[i]) || std::isnan(want[i]))
      return INFINITY;
    maxErr = std::max(maxErr, std::fabs(got[i] - want[i]));
    maxRef = std::max(maxRef, std::fabs(want[i]));
  }
  return maxRef > 0 ? maxErr / maxRef : maxErr;
}

double ssmc::test::relativeError(const std::vector<float> &got, const std::vector<float> &want) {
  if (got.size() != want.size())
    return INFINITY;
  std::vector<double> w(want.begin(), want.end());
  return relativeError(got.data(), w.data(), got.size());
}

std::vector<float> ssmc::test::uniform(std::mt19937_64 &rng, size_t n, float lo, float hi) {
  std::vector<float> v(n);
  for (float &x : v)
    x = lo + (hi - lo) * static_cast<float>((rng() >> 11) * (1.0 / 9007199254740992.0));
  return v;
}

std::vector<int32_t> ssmc::test::randomTokens(std::mt19937_64 &rng, size_t n, int32_t vocab) {
  std::vector<int32_t> v(n);
  for (int32_t &t : v)
    t = static_cast<int32_t>(rng() % vocab);
  return v;
}
