//===- ConvScanTest.cpp - reference causal conv, selective scan, step -----===//
//
// The conv against the explicit window formula (cat(init_state, x), then a
// valid cross-correlation: w[K-1] multiplies x_t), the selective scan
// against reference-semantics.md §1.3 written out, and the properties the
// runtime relies on: carried states continue a sequence exactly, seq_lens
// padding does not leak into a short sequence, and mamba_step is the fused
// form of conv + SiLU + x_proj + split + selective_scan.
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
double softplus(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }

//===----------------------------------------------------------------------===//
// causal_conv1d
//===----------------------------------------------------------------------===//

struct ConvCase {
  RefTensor x, w, bias, init;
};

ConvCase makeConv(TestRng &rng, int64_t batch, int64_t len, int64_t width, int64_t k) {
  return {rng.tensor({batch, len, width}), rng.tensor({width, 1, k}), rng.tensor({width}),
          rng.tensor({batch, k - 1, width})};
}

std::vector<RefTensor> runConv(const RefTensor &x, const ConvCase &c, const RefTensor *init,
                               bool silu, const RefTensor *lens = nullptr) {
  int64_t width = x.shape[2], k = c.w.shape[2];
  std::vector<Attr> attrs;
  if (silu)
    attrs.push_back(intAttr("silu", 1));
  return evalOk(OpCode::CausalConv1d, {&x, &c.w, &c.bias, init, lens}, attrs,
                {{kDyn, kDyn, width}, {kDyn, k - 1, width}});
}

TEST(ReferenceConv, MatchesWindowFormula) {
  TestRng rng(20);
  const int64_t batch = 2, len = 7, width = 5;
  for (int64_t k : {1, 2, 4})
    for (bool act : {false, true})
      for (bool withInit : {false, true}) {
        ConvCase c = makeConv(rng, batch, len, width, k);
        std::vector<RefTensor> out = runConv(c.x, c, withInit ? &c.init : nullptr, act);
        // window = cat(init_state or zeros, x) along time.
        RefTensor window({batch, k - 1 + len, width});
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t c2 = 0; c2 < width; ++c2) {
            for (int64_t j = 0; j < k - 1; ++j)
              at(window, {b, j, c2}) = withInit ? at(c.init, {b, j, c2}) : 0;
            for (int64_t t = 0; t < len; ++t)
              at(window, {b, k - 1 + t, c2}) = at(c.x, {b, t, c2});
          }
        RefTensor y({batch, len, width}), state({batch, k - 1, width});
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t ch = 0; ch < width; ++ch) {
            for (int64_t t = 0; t < len; ++t) {
              double acc = c.bias.data[ch];
              for (int64_t j = 0; j < k; ++j)
                acc += at(c.w, {ch, 0, j}) * at(window, {b, t + j, ch});
              at(y, {b, t, ch}) = act ? silu(acc) : acc;
            }
            for (int64_t j = 0; j < k - 1; ++j)
              at(state, {b, j, ch}) = at(window, {b, len + j, ch});
          }
        EXPECT_LT(maxAbsDiff(out[0], y), kTol)
            << "K " << k << " silu " << act << " init " << withInit;
        EXPECT_EQ(maxAbsDiff(out[1], state), 0.0);
      }
}

TEST(ReferenceConv, CarriedStateContinuesTheSequence) {
  TestRng rng(21);
  for (int64_t split : {1, 3, 6}) {
    ConvCase c = makeConv(rng, 2, 7, 5, 4);
    std::vector<RefTensor> whole = runConv(c.x, c, &c.init, true);
    std::vector<RefTensor> first = runConv(sliceSteps(c.x, 0, split), c, &c.init, true);
    std::vector<RefTensor> second = runConv(sliceSteps(c.x, split, 7), c, &first[1], true);
    EXPECT_LT(maxAbsDiff(first[0], sliceSteps(whole[0], 0, split)), 1e-12);
    EXPECT_LT(maxAbsDiff(second[0], sliceSteps(whole[0], split, 7)), 1e-12);
    EXPECT_LT(maxAbsDiff(second[1], whole[1]), 1e-12);
  }
}

TEST(ReferenceConv, SeqLensStopAtEachSequenceEnd) {
  TestRng rng(22);
  ConvCase c = makeConv(rng, 2, 7, 5, 4);
  RefTensor lens = lengths({7, 3});
  std::vector<RefTensor> batched = runConv(c.x, c, &c.init, true, &lens);
  for (int64_t b = 0; b < 2; ++b) {
    int64_t n = b == 0 ? 7 : 3;
    RefTensor init = sliceBatch(c.init, b);
    std::vector<RefTensor> alone = runConv(sliceSteps(sliceBatch(c.x, b), 0, n), c, &init, true);
    RefTensor y = sliceBatch(batched[0], b);
    EXPECT_EQ(maxAbsDiff(sliceSteps(y, 0, n), alone[0]), 0.0);
    for (int64_t t = n; t < 7; ++t)
      for (int64_t ch = 0; ch < 5; ++ch)
        EXPECT_EQ(at(y, {0, t, ch}), 0.0);
    EXPECT_EQ(maxAbsDiff(sliceBatch(batched[1], b), alone[1]), 0.0);
  }
}

//===----------------------------------------------------------------------===//
// selective_scan
//===----------------------------------------------------------------------===//

/// Inputs of one selective scan: delta is low-rank [B, L, R] when R > 0
/// (with delta_proj [E, R]), else [B, L, E].
struct ScanCase {
  int64_t groups;
  RefTensor u, delta, a, bIn, cIn, d, z, deltaBias, deltaProj, init;
};

ScanCase makeScan(TestRng &rng, int64_t batch, int64_t len, int64_t e, int64_t n, int64_t r,
                  int64_t groups) {
  ScanCase s;
  s.groups = groups;
  s.u = rng.tensor({batch, len, e});
  s.delta = rng.tensor({batch, len, r ? r : e});
  s.a = rng.tensor({e, n}, -2.0, -0.05); // A = -exp(A_log) < 0
  s.bIn = rng.tensor({batch, len, groups * n});
  s.cIn = rng.tensor({batch, len, groups * n});
  s.d = rng.tensor({e});
  s.z = rng.tensor({batch, len, e}, -3, 3);
  s.deltaBias = rng.tensor({e}, -2, 0.5);
  if (r)
    s.deltaProj = rng.tensor({e, r});
  s.init = rng.tensor({batch, e, n});
  return s;
}

/// Runs the scan on steps [begin, end) of |s| from |init|.
std::vector<RefTensor> runScan(const ScanCase &s, int64_t begin, int64_t end, const RefTensor *init,
                               const RefTensor *lens = nullptr, int64_t batchRow = -1) {
  auto cut = [&](const RefTensor &t) {
    RefTensor rows = batchRow < 0 ? t : sliceBatch(t, batchRow);
    return sliceSteps(rows, begin, end);
  };
  RefTensor u = cut(s.u), delta = cut(s.delta), b = cut(s.bIn), c = cut(s.cIn), z = cut(s.z);
  bool proj = !s.deltaProj.shape.empty();
  int64_t e = s.a.shape[0], n = s.a.shape[1];
  return evalOk(
      OpCode::SelectiveScan,
      {&u, &delta, &s.a, &b, &c, &s.d, &z, &s.deltaBias, proj ? &s.deltaProj : nullptr, init, lens},
      {intAttr("groups", s.groups), intAttr("delta_softplus", 1)}, {{kDyn, kDyn, e}, {kDyn, e, n}});
}

/// reference-semantics.md §1.3 steps 5-11, one (b, e) row at a time.
std::vector<RefTensor> naiveScan(const ScanCase &s) {
  int64_t batch = s.u.shape[0], len = s.u.shape[1], e = s.a.shape[0], n = s.a.shape[1];
  bool proj = !s.deltaProj.shape.empty();
  RefTensor y({batch, len, e}), state = s.init;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t ch = 0; ch < e; ++ch) {
      int64_t g = ch / (e / s.groups);
      for (int64_t t = 0; t < len; ++t) {
        double raw = 0; // dt_proj.weight @ dt_low, no bias here
        if (proj)
          for (int64_t r = 0; r < s.deltaProj.shape[1]; ++r)
            raw += at(s.deltaProj, {ch, r}) * at(s.delta, {b, t, r});
        else
          raw = at(s.delta, {b, t, ch});
        double delta = softplus(raw + s.deltaBias.data[ch]);
        double u = at(s.u, {b, t, ch}), out = 0;
        for (int64_t k = 0; k < n; ++k) {
          double dA = std::exp(delta * at(s.a, {ch, k}));
          double dBu = delta * at(s.bIn, {b, t, g * n + k}) * u;
          double &h = at(state, {b, ch, k});
          h = dA * h + dBu;
          out += h * at(s.cIn, {b, t, g * n + k});
        }
        out += s.d.data[ch] * u;
        at(y, {b, t, ch}) = out * silu(at(s.z, {b, t, ch}));
      }
    }
  return {y, state};
}

TEST(ReferenceSelectiveScan, MatchesWrittenOutRecurrence) {
  TestRng rng(30);
  for (int64_t n : {1, 3, 16})
    for (int64_t len : {1, 2, 7}) {
      ScanCase s = makeScan(rng, 2, len, 5, n, /*r=*/3, /*groups=*/1);
      std::vector<RefTensor> out = runScan(s, 0, len, &s.init);
      std::vector<RefTensor> expected = naiveScan(s);
      EXPECT_LT(maxAbsDiff(out[0], expected[0]), kTol) << "N " << n;
      EXPECT_LT(maxAbsDiff(out[1], expected[1]), kTol) << "N " << n;
    }
}

TEST(ReferenceSelectiveScan, ChannelsReadTheirGroupOfBAndC) {
  TestRng rng(31);
  ScanCase s = makeScan(rng, 2, 7, 6, 3, /*r=*/0, /*groups=*/3);
  std::vector<RefTensor> out = runScan(s, 0, 7, &s.init);
  std::vector<RefTensor> expected = naiveScan(s);
  EXPECT_LT(maxAbsDiff(out[0], expected[0]), kTol);
  EXPECT_LT(maxAbsDiff(out[1], expected[1]), kTol);
}

TEST(ReferenceSelectiveScan, WithoutOptionalOperandsStartsFromZero) {
  TestRng rng(32);
  ScanCase s = makeScan(rng, 1, 7, 5, 3, 0, 1);
  std::vector<RefTensor> out = evalOk(OpCode::SelectiveScan, {&s.u, &s.delta, &s.a, &s.bIn, &s.cIn},
                                      {}, {{kDyn, kDyn, 5}, {kDyn, 5, 3}});
  RefTensor h({1, 5, 3}), y({1, 7, 5});
  for (int64_t t = 0; t < 7; ++t)
    for (int64_t e = 0; e < 5; ++e)
      for (int64_t k = 0; k < 3; ++k) {
        double dt = at(s.delta, {0, t, e});
        at(h, {0, e, k}) = std::exp(dt * at(s.a, {e, k})) * at(h, {0, e, k}) +
                           dt * at(s.bIn, {0, t, k}) * at(s.u, {0, t, e});
        at(y, {0, t, e}) += at(h, {0, e, k}) * at(s.cIn, {0, t, k});
      }
  EXPECT_LT(maxAbsDiff(out[0], y), kTol);
  EXPECT_LT(maxAbsDiff(out[1], h), kTol);
}

TEST(ReferenceSelectiveScan, CarriedStateContinuesTheSequence) {
  TestRng rng(33);
  ScanCase s = makeScan(rng, 2, 7, 5, 16, 3, 1);
  std::vector<RefTensor> whole = runScan(s, 0, 7, &s.init);
  for (int64_t split : {1, 4}) {
    std::vector<RefTensor> first = runScan(s, 0, split, &s.init);
    std::vector<RefTensor> second = runScan(s, split, 7, &first[1]);
    EXPECT_LT(maxAbsDiff(first[0], sliceSteps(whole[0], 0, split)), 1e-12);
    EXPECT_LT(maxAbsDiff(second[0], sliceSteps(whole[0], split, 7)), 1e-12);
    EXPECT_LT(maxAbsDiff(second[1], whole[1]), 1e-12);
  }
}

TEST(ReferenceSelectiveScan, SeqLensGiveEachSequenceItsOwnEnd) {
  TestRng rng(34);
  ScanCase s = makeScan(rng, 2, 7, 5, 3, 3, 1);
  RefTensor lens = lengths({7, 3});
  std::vector<RefTensor> batched = runScan(s, 0, 7, &s.init, &lens);
  for (int64_t b = 0; b < 2; ++b) {
    int64_t n = b == 0 ? 7 : 3;
    RefTensor init = sliceBatch(s.init, b);
    std::vector<RefTensor> alone = runScan(s, 0, n, &init, nullptr, b);
    RefTensor y = sliceBatch(batched[0], b);
    EXPECT_EQ(maxAbsDiff(sliceSteps(y, 0, n), alone[0]), 0.0);
    EXPECT_EQ(maxAbsDiff(sliceBatch(batched[1], b), alone[1]), 0.0);
    for (int64_t t = n; t < 7; ++t)
      for (int64_t e = 0; e < 5; ++e)
        EXPECT_EQ(at(y, {0, t, e}), 0.0);
  }
}

TEST(ReferenceSelectiveScan, ReportsBadShapesAndLengths) {
  TestRng rng(35);
  ScanCase s = makeScan(rng, 2, 5, 4, 16, 0, 2);
  RefTensor narrowB = rng.tensor({2, 5, 16});
  std::vector<RefTensor> results;
  Status st = evalOp(OpCode::SelectiveScan, {&s.u, &s.delta, &s.a, &narrowB, &s.cIn},
                     {intAttr("groups", 2)}, {{kDyn, kDyn, 4}, {kDyn, 4, 16}}, results);
  EXPECT_EQ(st.message(), "instruction 0 (selective_scan): operand 'B' has "
                          "shape [2, 5, 16] but expected [2, 5, 32]");
  for (double bad : {6.0, -1.0, 2.5}) {
    RefTensor lens({2}, {3, bad});
    st = evalOp(
        OpCode::SelectiveScan,
        {&s.u, &s.delta, &s.a, &s.bIn, &s.cIn, nullptr, nullptr, nullptr, nullptr, nullptr, &lens},
        {intAttr("groups", 2)}, {{kDyn, kDyn, 4}, {kDyn, 4, 16}}, results);
    EXPECT_NE(st.message().find("seq_lens[1] = "), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("is not an integer in [0, 5]"), std::string::npos) << st.message();
  }
  RefTensor badInit = rng.tensor({2, 16, 4});
  st = evalOp(OpCode::SelectiveScan,
              {&s.u, &s.delta, &s.a, &s.bIn, &s.cIn, nullptr, nullptr, nullptr, nullptr, &badInit},
              {intAttr("groups", 2)}, {{kDyn, kDyn, 4}, {kDyn, 4, 16}}, results);
  EXPECT_EQ(st.message(), "instruction 0 (selective_scan): operand "
                          "'init_state' has shape [2, 16, 4] but expected "
                          "[2, 4, 16]");
}

//===----------------------------------------------------------------------===//
// mamba_step
//===----------------------------------------------------------------------===//

TEST(ReferenceMambaStep, EqualsConvLinearSplitAndScanOnOneToken) {
  TestRng rng(40);
  const int64_t batch = 2, e = 5, k = 4, n = 3, r = 2;
  RefTensor x = rng.tensor({batch, 1, e}), z = rng.tensor({batch, 1, e}, -3, 3);
  RefTensor convW = rng.tensor({e, 1, k}), convB = rng.tensor({e});
  RefTensor convState = rng.tensor({batch, k - 1, e});
  RefTensor xProj = rng.tensor({r + 2 * n, e}), deltaProj = rng.tensor({e, r});
  RefTensor deltaBias = rng.tensor({e}, -2, 0.5), a = rng.tensor({e, n}, -2, -0.05);
  RefTensor ssmState = rng.tensor({batch, e, n}), d = rng.tensor({e});

  std::vector<RefTensor> fused = evalOk(
      OpCode::MambaStep,
      {&x, &z, &convW, &convState, &xProj, &deltaProj, &deltaBias, &a, &ssmState, &convB, &d}, {},
      {{kDyn, 1, e}, {kDyn, k - 1, e}, {kDyn, e, n}});

  std::vector<RefTensor> conv =
      evalOk(OpCode::CausalConv1d, {&x, &convW, &convB, &convState, nullptr}, {intAttr("silu", 1)},
             {{kDyn, kDyn, e}, {kDyn, k - 1, e}});
  RefTensor proj =
      evalOk(OpCode::Linear, {&conv[0], &xProj, nullptr}, {}, {{kDyn, kDyn, r + 2 * n}})[0];
  std::vector<RefTensor> parts =
      evalOk(OpCode::Split, {&proj}, {intsAttr("sizes", {r, n, n}), intAttr("axis", 2)},
             {{kDyn, kDyn, r}, {kDyn, kDyn, n}, {kDyn, kDyn, n}});
  std::vector<RefTensor> scan =
      evalOk(OpCode::SelectiveScan,
             {&conv[0], &parts[0], &a, &parts[1], &parts[2], &d, &z, &deltaBias, &deltaProj,
              &ssmState, nullptr},
             {intAttr("delta_softplus", 1)}, {{kDyn, kDyn, e}, {kDyn, e, n}});

  EXPECT_LT(maxAbsDiff(fused[0], scan[0]), 1e-12);
  EXPECT_LT(maxAbsDiff(fused[1], conv[1]), 1e-12);
  EXPECT_LT(maxAbsDiff(fused[2], scan[1]), 1e-12);

  RefTensor twoSteps = rng.tensor({batch, 2, e});
  EXPECT_NE(evalError(OpCode::MambaStep,
                      {&twoSteps, &z, &convW, &convState, &xProj, &deltaProj, &deltaBias, &a,
                       &ssmState, &convB, &d},
                      {}, {{kDyn, 1, e}, {kDyn, k - 1, e}, {kDyn, e, n}})
                .find("operand 'x' has shape [2, 2, 5] but expected [2, 1, 5]"),
            std::string::npos);
}

} // namespace
