//===- ModelHarness.h - compile a model, run it natively and in f64 -*- C++ -*-===//
//
// Shared by the numerics tests: a model written in the language is compiled
// for this CPU, its weights are written to a temporary checkpoint, and it is
// run both by the native runtime (fused kernels, fp32) and by the float64
// reference interpreter (the unfused graph). Inputs are random, never zero.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_UNIT_E2E_MODELHARNESS_H
#define SSMC_TEST_UNIT_E2E_MODELHARNESS_H

#include "codegen/driver/Compiler.h"
#include "runtime/artifact/Program.h"
#include "runtime/engine/Session.h"
#include "runtime/reference/ReferenceTensor.h"

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ssmc::test {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};
using Tensors = std::map<std::string, Tensor>;

/// Compiles |text| (a model file; imports resolve in models/). Fails the
/// current test on error and returns an empty Program.
ssmrt::Program compileModel(const std::string &text, bool foldDeltaProj = true,
                            int vectorWidth = 0);
/// The same with all compiler options (e.g. CUDA kernels too).
ssmrt::Program compileModel(const std::string &text, const ssmc::CompileOptions &options);

/// A temporary checkpoint directory holding |tensors| (model.safetensors and
/// an empty config.json); removed when the object dies.
class TempCheckpoint {
public:
  explicit TempCheckpoint(const Tensors &tensors);
  ~TempCheckpoint();
  const std::string &dir() const { return dir_; }

private:
  std::string dir_;
};

/// A session on |program| with weights from |checkpoint| (matrix products
/// reading them as |weightsDtype|: SessionOptions::weightsDtype).
std::unique_ptr<ssmrt::Session> openSession(const ssmrt::Program &program,
                                            const TempCheckpoint &checkpoint, int64_t slots = 4,
                                            int64_t prefillChunk = 512,
                                            const std::string &weightsDtype = "auto");

/// Logits [B, L, V] of the reference function in float64, with fresh states.
ssmrt::RefTensor referenceLogits(const ssmrt::Program &program, const Tensors &tensors,
                                 const std::vector<int32_t> &tokens, int64_t batch, int64_t seq,
                                 const std::vector<int32_t> &seqLens = {});

/// max |got - want| / max |want| over |n| values; +inf if any value is NaN.
double relativeError(const float *got, const double *want, size_t n);
double relativeError(const std::vector<float> &got, const std::vector<float> &want);

/// Uniform floats in [lo, hi) from a seeded generator.
std::vector<float> uniform(std::mt19937_64 &rng, size_t n, float lo, float hi);
/// Random token ids in [0, vocab).
std::vector<int32_t> randomTokens(std::mt19937_64 &rng, size_t n, int32_t vocab);

} // namespace ssmc::test

#endif // SSMC_TEST_UNIT_E2E_MODELHARNESS_H
