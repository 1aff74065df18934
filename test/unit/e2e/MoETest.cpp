//===- MoETest.cpp - the CPU mixture of experts against float64 -----------===//
//
// ssm.moe through run-op's runner: the CPU runtime's MixtureOfExperts (router
// softmax and top-k, tokens grouped by expert, matrix products per expert)
// against the float64 reference interpreter, on random inputs (never
// zeros). Cases: experts that receive no tokens, all tokens and one token;
// top-1 and top-2 with and without renormalization; 1, 3 (decode-sized: the
// small-row product) and 300 rows; widths that are not multiples of a vector.
// Tolerance: max|got - ref| / max|ref| <= 1e-5; NaN never passes.
//
//===----------------------------------------------------------------------===//
#include "test/unit/e2e/RunOpTestUtil.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace ssmc;
using namespace ssmc::test;

namespace {

struct MoECase {
  int64_t experts, width, inter, topK;
  bool renormalize = false;
  int64_t batch = 1, seq = 7;
};

std::string moeFunction(const MoECase &c) {
  auto t = [](std::initializer_list<int64_t> dims, bool dynamic = false) {
    std::string s = "tensor<";
    if (dynamic)
      s += "?x?x";
    for (int64_t d : dims)
      s += std::to_string(d) + "x";
    return s + "f32>";
  };
  std::string act = t({c.width}, true), gate = t({c.inter, c.width}), down = t({c.width, c.inter});
  std::ostringstream f, types, operands;
  f << "func.func @f(%x: " << act << ", %router: " << t({c.experts, c.width});
  types << act << ", " << t({c.experts, c.width});
  operands << "%x, %router";
  for (int64_t e = 0; e < c.experts; ++e) {
    f << ", %g" << e << ": " << gate << ", %u" << e << ": " << gate << ", %d" << e << ": " << down;
    types << ", " << gate << ", " << gate << ", " << down;
    operands << ", %g" << e << ", %u" << e << ", %d" << e;
  }
  f << ") -> " << act << " {\n  %y = ssm.moe " << operands.str() << " {"
    << (c.renormalize ? "renormalize = true, " : "") << "top_k = " << c.topK << " : i64} : ("
    << types.str() << ") -> " << act << "\n  return %y : " << act << "\n}\n";
  return f.str();
}

/// Inputs with the router's rows |bias|ed: expert e's logits get bias[e]
/// (through a constant feature: x[..., 0] is set to 1 and router[e][0] to
/// bias[e]).
std::vector<OpTensor> moeInputs(const MoECase &c, const std::vector<float> &bias, uint64_t seed) {
  std::vector<Arg> args = {{{c.batch, c.seq, c.width}}, {{c.experts, c.width}, -0.3f, 0.3f}};
  for (int64_t e = 0; e < c.experts; ++e) {
    args.push_back({{c.inter, c.width}, -0.5f, 0.5f});
    args.push_back({{c.inter, c.width}, -0.5f, 0.5f});
    args.push_back({{c.width, c.inter}, -0.5f, 0.5f});
  }
  std::vector<OpTensor> inputs = randomInputs(args, seed);
  for (int64_t r = 0; r < c.batch * c.seq; ++r)
    inputs[0].f32[r * c.width] = 1.0f;
  for (int64_t e = 0; e < c.experts && e < int64_t(bias.size()); ++e)
    inputs[1].f32[e * c.width] = bias[e];
  return inputs;
}

void checkMoE(const MoECase &c, const std::vector<float> &bias, uint64_t seed) {
  std::string source = moeFunction(c);
  SCOPED_TRACE(source.substr(0, 200));
  std::vector<OpTensor> inputs = moeInputs(c, bias, seed);
  RunOpOptions reference;
  reference.reference = true;
  std::vector<OpTensor> want = runSource(source, "moe", inputs, reference).outputs;
  RunOpResult got = runSource(source, "moe", inputs, {});
  ASSERT_FALSE(got.trace.empty());
  EXPECT_NE(got.trace.back().find("mixture of experts"), std::string::npos) << got.trace.back();
  expectClose(got.outputs, want, 1e-5);
}

// Experts 1 and 3 get no tokens (their logits are far below), 0 and 2 all
// of them (top-2).
TEST(MoE, ExpertsWithNoTokensAndAllTokens) {
  MoECase c{4, 37, 20, 2};
  checkMoE(c, {20.0f, -20.0f, 19.0f, -20.0f}, 1);
  c.renormalize = true;
  checkMoE(c, {20.0f, -20.0f, 19.0f, -20.0f}, 2);
}

// Random routing over 300 rows (top-2 of 8); a single row with top-1 (one
// expert gets one token, the others none); three rows, as in a batch-3
// decode step (the small-row product), renormalized.
TEST(MoE, RandomRoutingManyRowsAndOneToken) {
  MoECase many{8, 64, 48, 2};
  many.batch = 3;
  many.seq = 100;
  checkMoE(many, {}, 3);
  MoECase one{3, 19, 11, 1, false, 1, 1};
  checkMoE(one, {}, 4);
  MoECase decode{5, 24, 16, 2, true, 3, 1};
  checkMoE(decode, {}, 5);
}

} // namespace
