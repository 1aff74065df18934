//===- BasicOpsTest.cpp - reference embedding, norms, linear, shapes ------===//
//
// Each op against a naive formula written here, with random inputs from a
// seeded generator. The reference and the formulas sum in the same order,
// so they agree to rounding (tolerance 1e-12).
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtil.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ssmrt;
using namespace ssmrt::test;

namespace {

constexpr double kTol = 1e-12;
const int64_t kDyn = kDynamic;

double silu(double x) { return x / (1 + std::exp(-x)); }

TEST(ReferenceBasicOps, EmbeddingGathersRows) {
  TestRng rng(1);
  RefTensor table = rng.tensor({11, 5});
  RefTensor ids({2, 3}, {0, 10, 4, 4, 7, 1});
  RefTensor y = evalOk(OpCode::Embedding, {&table, &ids}, {}, {{kDyn, kDyn, 5}})[0];
  ASSERT_EQ(y.shape, (std::vector<int64_t>{2, 3, 5}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t l = 0; l < 3; ++l)
      for (int64_t d = 0; d < 5; ++d)
        EXPECT_EQ(at(y, {b, l, d}), at(table, {static_cast<int64_t>(at(ids, {b, l})), d}));
}

TEST(ReferenceBasicOps, EmbeddingRejectsIdOutOfRange) {
  TestRng rng(2);
  RefTensor table = rng.tensor({11, 5});
  RefTensor ids({2, 3}, {0, 10, 4, 4, 11, 1});
  EXPECT_EQ(evalError(OpCode::Embedding, {&table, &ids}, {}, {{kDyn, kDyn, 5}}),
            "instruction 0 (embedding): token id 11 at position [1, 1] is "
            "outside [0, 11)");
  ids.data[4] = -1;
  EXPECT_NE(evalError(OpCode::Embedding, {&table, &ids}, {}, {{kDyn, kDyn, 5}})
                .find("token id -1 at position [1, 1]"),
            std::string::npos);
}

TEST(ReferenceBasicOps, LinearAndLogitsMultiplyByTransposedWeight) {
  TestRng rng(3);
  RefTensor x = rng.tensor({2, 3, 7}), w = rng.tensor({5, 7}), bias = rng.tensor({5});
  RefTensor y = evalOk(OpCode::Linear, {&x, &w, &bias}, {}, {{kDyn, kDyn, 5}})[0];
  RefTensor logits = evalOk(OpCode::Logits, {&x, &w}, {}, {{kDyn, kDyn, 5}})[0];
  RefTensor expected({2, 3, 5});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t l = 0; l < 3; ++l)
      for (int64_t o = 0; o < 5; ++o) {
        double acc = 0;
        for (int64_t i = 0; i < 7; ++i)
          acc += at(x, {b, l, i}) * at(w, {o, i});
        at(expected, {b, l, o}) = acc;
      }
  EXPECT_LT(maxAbsDiff(logits, expected), kTol);
  for (int64_t i = 0; i < expected.numElements(); ++i)
    expected.data[i] += bias.data[i % 5];
  EXPECT_LT(maxAbsDiff(y, expected), kTol);
}

TEST(ReferenceBasicOps, LinearReportsWeightShape) {
  TestRng rng(4);
  RefTensor x = rng.tensor({2, 3, 7}), w = rng.tensor({5, 6});
  EXPECT_EQ(evalError(OpCode::Linear, {&x, &w, nullptr}, {}, {{kDyn, kDyn, 5}}),
            "instruction 0 (linear): operand 'weight' has shape [5, 6] but "
            "expected [5, 7]");
}

/// x · rsqrt(mean(x²) + eps) over |n| values at |x|, written out.
std::vector<double> naiveRms(const double *x, int64_t n, double eps) {
  double ms = 0;
  for (int64_t i = 0; i < n; ++i)
    ms += x[i] * x[i];
  ms /= static_cast<double>(n);
  std::vector<double> out(n);
  for (int64_t i = 0; i < n; ++i)
    out[i] = x[i] / std::sqrt(ms + eps);
  return out;
}

TEST(ReferenceBasicOps, RMSNormUsesEpsAttribute) {
  TestRng rng(5);
  RefTensor x = rng.tensor({2, 7, 13}), w = rng.tensor({13});
  for (double eps : {1e-5, 0.5}) {
    std::vector<Attr> attrs;
    if (eps != 1e-5)
      attrs.push_back(floatAttr("eps", eps));
    RefTensor y = evalOk(OpCode::RMSNorm, {&x, &w}, attrs, {{kDyn, kDyn, 13}})[0];
    RefTensor expected(x.shape);
    for (int64_t r = 0; r < 14; ++r) {
      std::vector<double> n = naiveRms(&x.data[r * 13], 13, eps);
      for (int64_t i = 0; i < 13; ++i)
        expected.data[r * 13 + i] = n[i] * w.data[i];
    }
    EXPECT_LT(maxAbsDiff(y, expected), kTol) << "eps " << eps;
  }
}

TEST(ReferenceBasicOps, GatedRMSNormNormalizesEachGroup) {
  TestRng rng(6);
  const int64_t width = 12, group = 4;
  RefTensor x = rng.tensor({2, 3, width}), z = rng.tensor({2, 3, width}, -3, 3),
            w = rng.tensor({width});
  for (int64_t before : {0, 1}) {
    RefTensor y = evalOk(OpCode::GatedRMSNorm, {&x, &z, &w},
                         {intAttr("group_size", group), intAttr("norm_before_gate", before)},
                         {{kDyn, kDyn, width}})[0];
    RefTensor expected(x.shape);
    for (int64_t r = 0; r < 6; ++r)
      for (int64_t g = 0; g < width / group; ++g) {
        int64_t base = r * width + g * group;
        std::vector<double> in(group);
        for (int64_t i = 0; i < group; ++i)
          in[i] = before ? x.data[base + i] : x.data[base + i] * silu(z.data[base + i]);
        std::vector<double> n = naiveRms(in.data(), group, 1e-5);
        for (int64_t i = 0; i < group; ++i)
          expected.data[base + i] =
              n[i] * w.data[g * group + i] * (before ? silu(z.data[base + i]) : 1.0);
      }
    EXPECT_LT(maxAbsDiff(y, expected), kTol) << "norm_before_gate " << before;
  }
  // One group over all features differs from groups of 4.
  RefTensor grouped = evalOk(OpCode::GatedRMSNorm, {&x, &z, &w}, {intAttr("group_size", group)},
                             {{kDyn, kDyn, width}})[0];
  RefTensor whole = evalOk(OpCode::GatedRMSNorm, {&x, &z, &w}, {intAttr("group_size", width)},
                           {{kDyn, kDyn, width}})[0];
  EXPECT_GT(maxAbsDiff(grouped, whole), 1e-3);
  EXPECT_NE(evalError(OpCode::GatedRMSNorm, {&x, &z, &w}, {intAttr("group_size", 5)},
                      {{kDyn, kDyn, width}})
                .find("'group_size' (5) does not divide"),
            std::string::npos);
}

TEST(ReferenceBasicOps, AddRMSNormReturnsNormedAndSum) {
  TestRng rng(7);
  RefTensor x = rng.tensor({1, 2, 9}), res = rng.tensor({1, 2, 9}), w = rng.tensor({9});
  std::vector<RefTensor> out = evalOk(OpCode::AddRMSNorm, {&x, &res, &w}, {floatAttr("eps", 1e-6)},
                                      {{kDyn, kDyn, 9}, {kDyn, kDyn, 9}});
  RefTensor sum(x.shape);
  for (int64_t i = 0; i < 18; ++i)
    sum.data[i] = x.data[i] + res.data[i];
  RefTensor normed =
      evalOk(OpCode::RMSNorm, {&sum, &w}, {floatAttr("eps", 1e-6)}, {{kDyn, kDyn, 9}})[0];
  EXPECT_EQ(maxAbsDiff(out[1], sum), 0.0);
  EXPECT_LT(maxAbsDiff(out[0], normed), kTol);
}

TEST(ReferenceBasicOps, BinaryOpsBroadcastFromTrailingDim) {
  TestRng rng(8);
  RefTensor a = rng.tensor({2, 3, 5}), row = rng.tensor({5}), col = rng.tensor({3, 1});
  RefTensor sum = evalOk(OpCode::Add, {&a, &row}, {}, {{kDyn, kDyn, 5}})[0];
  RefTensor prod = evalOk(OpCode::Mul, {&col, &a}, {}, {{kDyn, 3, 5}})[0];
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 5; ++j) {
        EXPECT_EQ(at(sum, {b, i, j}), at(a, {b, i, j}) + at(row, {j}));
        EXPECT_EQ(at(prod, {b, i, j}), at(col, {i, 0}) * at(a, {b, i, j}));
      }
  RefTensor bad = rng.tensor({4});
  EXPECT_NE(evalError(OpCode::Add, {&a, &bad}, {}, {{kDyn, kDyn, 5}}).find("do not broadcast"),
            std::string::npos);
}

TEST(ReferenceBasicOps, UnaryOps) {
  RefTensor x({6}, {-30, -2.5, 0, 0.75, 19.5, 25});
  RefTensor neg = evalOk(OpCode::Neg, {&x}, {}, {{6}})[0];
  RefTensor ex = evalOk(OpCode::Exp, {&x}, {}, {{6}})[0];
  RefTensor si = evalOk(OpCode::Silu, {&x}, {}, {{6}})[0];
  RefTensor sp = evalOk(OpCode::Softplus, {&x}, {}, {{6}})[0];
  RefTensor sp1 = evalOk(OpCode::Softplus, {&x}, {floatAttr("threshold", 0.5)}, {{6}})[0];
  for (int64_t i = 0; i < 6; ++i) {
    double v = x.data[i];
    EXPECT_EQ(neg.data[i], -v);
    EXPECT_EQ(ex.data[i], std::exp(v));
    EXPECT_NEAR(si.data[i], v / (1 + std::exp(-v)), 1e-15);
    EXPECT_EQ(sp.data[i], v > 20 ? v : std::log1p(std::exp(v)));
    EXPECT_EQ(sp1.data[i], v > 0.5 ? v : std::log1p(std::exp(v)));
  }
}

TEST(ReferenceBasicOps, SplitAndConcatRoundTrip) {
  TestRng rng(9);
  RefTensor x = rng.tensor({2, 3, 11});
  std::vector<RefTensor> parts =
      evalOk(OpCode::Split, {&x}, {intsAttr("sizes", {4, 0, 7}), intAttr("axis", 2)},
             {{kDyn, kDyn, 4}, {kDyn, kDyn, 0}, {kDyn, kDyn, 7}});
  ASSERT_EQ(parts.size(), 3u);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t l = 0; l < 3; ++l) {
      for (int64_t i = 0; i < 4; ++i)
        EXPECT_EQ(at(parts[0], {b, l, i}), at(x, {b, l, i}));
      for (int64_t i = 0; i < 7; ++i)
        EXPECT_EQ(at(parts[2], {b, l, i}), at(x, {b, l, 4 + i}));
    }
  RefTensor back = evalOk(OpCode::Concat, {&parts[0], &parts[1], &parts[2]}, {intAttr("axis", 2)},
                          {{kDyn, kDyn, 11}})[0];
  EXPECT_EQ(maxAbsDiff(back, x), 0.0);

  // Along the sequence axis, with the default (last) axis of concat absent.
  std::vector<RefTensor> steps =
      evalOk(OpCode::Split, {&x}, {intsAttr("sizes", {1, 2}), intAttr("axis", 1)},
             {{kDyn, 1, 11}, {kDyn, 2, 11}});
  EXPECT_EQ(maxAbsDiff(steps[1], sliceSteps(x, 1, 3)), 0.0);
  EXPECT_NE(evalError(OpCode::Split, {&x}, {intsAttr("sizes", {4, 6}), intAttr("axis", 2)},
                      {{kDyn, kDyn, 4}, {kDyn, kDyn, 6}})
                .find("adds up to 10"),
            std::string::npos);
}

TEST(ReferenceBasicOps, ReshapeKeepsDynamicDims) {
  TestRng rng(10);
  RefTensor x = rng.tensor({2, 3, 12});
  RefTensor y = evalOk(OpCode::Reshape, {&x}, {}, {{kDyn, kDyn, 4, 3}})[0];
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, 3, 4, 3}));
  EXPECT_EQ(y.data, x.data);
  EXPECT_NE(evalError(OpCode::Reshape, {&x}, {}, {{kDyn, kDyn, 5, 3}})
                .find("cannot be reshaped to [2, 3, 5, 3]"),
            std::string::npos);
}

TEST(ReferenceBasicOps, TransposePermutesDims) {
  TestRng rng(11);
  RefTensor x = rng.tensor({2, 3, 5});
  RefTensor y =
      evalOk(OpCode::Transpose, {&x}, {intsAttr("permutation", {2, 0, 1})}, {{5, kDyn, kDyn}})[0];
  ASSERT_EQ(y.shape, (std::vector<int64_t>{5, 2, 3}));
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t c = 0; c < 5; ++c)
        EXPECT_EQ(at(y, {c, a, b}), at(x, {a, b, c}));
  EXPECT_NE(
      evalError(OpCode::Transpose, {&x}, {intsAttr("permutation", {0, 0, 1})}, {{kDyn, kDyn, 3}})
          .find("not a permutation"),
      std::string::npos);
}

TEST(ReferenceBasicOps, EvaluateChecksOperandsAttrsAndDeclaredShapes) {
  TestRng rng(12);
  RefTensor x = rng.tensor({2, 3, 7}), w = rng.tensor({5, 7});
  EXPECT_EQ(evalError(OpCode::Linear, {&x, nullptr}, {}, {{kDyn, kDyn, 5}}),
            "instruction 0 (linear): missing operand 'weight' (operand 1)");
  EXPECT_EQ(evalError(OpCode::Linear, {&x, &w}, {}, {{kDyn, kDyn, 6}}),
            "instruction 0 (linear): result 0 has shape [2, 3, 5] but the "
            "program declares [-1, -1, 6]");
  EXPECT_EQ(evalError(OpCode::Split, {&x}, {intsAttr("sizes", {7})}, {{}}),
            "instruction 0 (split): missing attribute 'axis'");
  EXPECT_EQ(evalError(OpCode::RMSNorm, {&x, &w, &w}, {}, {{kDyn, kDyn, 7}}),
            "instruction 0 (rmsnorm): has 3 operands but the op takes at "
            "most 2");
  RefTensor broken({2, 3}, {1, 2, 3});
  EXPECT_EQ(evalError(OpCode::Neg, {&broken}, {}, {{2, 3}}),
            "instruction 0 (neg): operand 0 has shape [2, 3] but holds 3 "
            "values");
}

} // namespace
