//===- AttentionMoETest.cpp - reference attention and mixture of experts --===//
//
// Attention against a naive loop (GQA mapping h / (H / KV), rotate-half
// rotary embedding at absolute positions, causal mask over the cache), the
// KV-cache continuation property and seq_lens masking; MoE against the
// explicit weighted sum of the chosen experts.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtil.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ssmrt;
using namespace ssmrt::test;

namespace {

const int64_t kDyn = kDynamic;

double silu(double x) { return x / (1 + std::exp(-x)); }

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

struct AttnConfig {
  int64_t heads, kvHeads, headDim;
  double ropeTheta = 0; ///< 0: no rotary embedding.
  bool causal = true;
};

std::vector<Attr> attnAttrs(const AttnConfig &c) {
  std::vector<Attr> attrs = {intAttr("heads", c.heads), intAttr("kv_heads", c.kvHeads),
                             intAttr("head_dim", c.headDim)};
  if (c.ropeTheta > 0)
    attrs.push_back(floatAttr("rope_theta", c.ropeTheta));
  if (!c.causal)
    attrs.push_back(intAttr("causal", 0));
  return attrs;
}

std::vector<RefTensor> runAttn(const AttnConfig &c, const RefTensor &q, const RefTensor &k,
                               const RefTensor &v, const RefTensor *kCache = nullptr,
                               const RefTensor *vCache = nullptr, const RefTensor *lens = nullptr) {
  std::vector<int64_t> cache = {kDyn, c.kvHeads, kDyn, c.headDim};
  return evalOk(OpCode::Attention, {&q, &k, &v, kCache, vCache, lens}, attnAttrs(c),
                {{kDyn, kDyn, c.heads * c.headDim}, cache, cache});
}

/// Rotates |x| (one head) to position |pos|: pairs (i, i + hd/2) turn by
/// pos / theta^(2i/hd).
std::vector<double> rotate(std::vector<double> x, int64_t pos, double theta) {
  int64_t half = static_cast<int64_t>(x.size()) / 2;
  std::vector<double> out = x;
  for (int64_t i = 0; i < half; ++i) {
    double angle = pos / std::pow(theta, 2.0 * i / (2.0 * half));
    out[i] = x[i] * std::cos(angle) - x[i + half] * std::sin(angle);
    out[i + half] = x[i + half] * std::cos(angle) + x[i] * std::sin(angle);
  }
  return out;
}

/// Naive causal GQA attention of new steps q/k/v after cached (already
/// rotated) keys and values; returns the output only.
RefTensor naiveAttn(const AttnConfig &c, const RefTensor &q, const RefTensor &k, const RefTensor &v,
                    const RefTensor *kCache, const RefTensor *vCache) {
  int64_t batch = q.shape[0], len = q.shape[1], hd = c.headDim;
  int64_t cached = kCache ? kCache->shape[2] : 0;
  RefTensor out(q.shape);
  auto head = [&](const RefTensor &t, int64_t b, int64_t s, int64_t h) {
    std::vector<double> x(hd);
    for (int64_t i = 0; i < hd; ++i)
      x[i] = at(t, {b, s, h * hd + i});
    return x;
  };
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < c.heads; ++h) {
      int64_t kvh = h / (c.heads / c.kvHeads);
      std::vector<std::vector<double>> keys, values;
      for (int64_t j = 0; j < cached; ++j) {
        std::vector<double> kj(hd), vj(hd);
        for (int64_t i = 0; i < hd; ++i) {
          kj[i] = at(*kCache, {b, kvh, j, i});
          vj[i] = at(*vCache, {b, kvh, j, i});
        }
        keys.push_back(kj);
        values.push_back(vj);
      }
      for (int64_t s = 0; s < len; ++s) {
        std::vector<double> kj = head(k, b, s, kvh);
        keys.push_back(c.ropeTheta > 0 ? rotate(kj, cached + s, c.ropeTheta) : kj);
        values.push_back(head(v, b, s, kvh));
      }
      for (int64_t t = 0; t < len; ++t) {
        std::vector<double> qt = head(q, b, t, h);
        if (c.ropeTheta > 0)
          qt = rotate(qt, cached + t, c.ropeTheta);
        int64_t visible = c.causal ? cached + t + 1 : cached + len;
        std::vector<double> w(visible);
        double sum = 0;
        for (int64_t j = 0; j < visible; ++j) {
          double dot = 0;
          for (int64_t i = 0; i < hd; ++i)
            dot += qt[i] * keys[j][i];
          w[j] = std::exp(dot / std::sqrt(static_cast<double>(hd)));
          sum += w[j];
        }
        for (int64_t j = 0; j < visible; ++j)
          for (int64_t i = 0; i < hd; ++i)
            at(out, {b, t, h * hd + i}) += w[j] / sum * values[j][i];
      }
    }
  return out;
}

TEST(ReferenceAttention, MatchesNaiveGroupedQueryAttention) {
  TestRng rng(60);
  for (bool causal : {true, false}) {
    AttnConfig c{4, 2, 6};
    c.causal = causal;
    RefTensor q = rng.tensor({2, 7, 24}), k = rng.tensor({2, 7, 12}), v = rng.tensor({2, 7, 12});
    std::vector<RefTensor> out = runAttn(c, q, k, v);
    EXPECT_LT(maxAbsDiff(out[0], naiveAttn(c, q, k, v, nullptr, nullptr)), 1e-12)
        << "causal " << causal;
    // The caches are the new keys and values, head-major.
    ASSERT_EQ(out[1].shape, (std::vector<int64_t>{2, 2, 7, 6}));
    for (int64_t t = 0; t < 7; ++t)
      for (int64_t i = 0; i < 6; ++i) {
        EXPECT_EQ(at(out[1], {1, 1, t, i}), at(k, {1, t, 6 + i}));
        EXPECT_EQ(at(out[2], {1, 0, t, i}), at(v, {1, t, i}));
      }
  }
}

TEST(ReferenceAttention, RotaryUsesAbsolutePositionsAfterTheCache) {
  TestRng rng(61);
  AttnConfig c{2, 1, 8, 10000.0};
  RefTensor kCache = rng.tensor({2, 1, 3, 8}), vCache = rng.tensor({2, 1, 3, 8});
  RefTensor q = rng.tensor({2, 2, 16}), k = rng.tensor({2, 2, 8}), v = rng.tensor({2, 2, 8});
  std::vector<RefTensor> out = runAttn(c, q, k, v, &kCache, &vCache);
  EXPECT_LT(maxAbsDiff(out[0], naiveAttn(c, q, k, v, &kCache, &vCache)), 1e-12);
  // The cache holds the new key rotated to position 3 + t.
  for (int64_t t = 0; t < 2; ++t) {
    std::vector<double> key(8);
    for (int64_t i = 0; i < 8; ++i)
      key[i] = at(k, {1, t, i});
    std::vector<double> rotated = rotate(key, 3 + t, 10000.0);
    for (int64_t i = 0; i < 8; ++i)
      EXPECT_NEAR(at(out[1], {1, 0, 3 + t, i}), rotated[i], 1e-12);
  }
}

TEST(ReferenceAttention, CacheContinuationEqualsOneCall) {
  TestRng rng(62);
  AttnConfig c{4, 2, 6, 500.0};
  RefTensor q = rng.tensor({2, 6, 24}), k = rng.tensor({2, 6, 12}), v = rng.tensor({2, 6, 12});
  std::vector<RefTensor> whole = runAttn(c, q, k, v);
  RefTensor emptyK({2, 2, 0, 6}), emptyV({2, 2, 0, 6});
  std::vector<RefTensor> prefill =
      runAttn(c, sliceSteps(q, 0, 5), sliceSteps(k, 0, 5), sliceSteps(v, 0, 5), &emptyK, &emptyV);
  std::vector<RefTensor> step = runAttn(c, sliceSteps(q, 5, 6), sliceSteps(k, 5, 6),
                                        sliceSteps(v, 5, 6), &prefill[1], &prefill[2]);
  EXPECT_LT(maxAbsDiff(prefill[0], sliceSteps(whole[0], 0, 5)), 1e-12);
  EXPECT_LT(maxAbsDiff(step[0], sliceSteps(whole[0], 5, 6)), 1e-12);
  EXPECT_LT(maxAbsDiff(step[1], whole[1]), 1e-12);
  EXPECT_LT(maxAbsDiff(step[2], whole[2]), 1e-12);
}

TEST(ReferenceAttention, SeqLensMaskPaddingOfShortSequences) {
  TestRng rng(63);
  AttnConfig c{4, 2, 6, 10000.0};
  RefTensor q = rng.tensor({2, 7, 24}), k = rng.tensor({2, 7, 12}), v = rng.tensor({2, 7, 12});
  AttnConfig open = c;
  open.causal = false;
  for (const AttnConfig &cfg : {c, open}) {
    RefTensor lens = lengths({7, 3});
    std::vector<RefTensor> batched = runAttn(cfg, q, k, v, nullptr, nullptr, &lens);
    EXPECT_EQ(batched[1].shape, (std::vector<int64_t>{2, 2, 7, 6}));
    std::vector<RefTensor> alone =
        runAttn(cfg, sliceSteps(sliceBatch(q, 1), 0, 3), sliceSteps(sliceBatch(k, 1), 0, 3),
                sliceSteps(sliceBatch(v, 1), 0, 3));
    RefTensor y = sliceBatch(batched[0], 1);
    EXPECT_LT(maxAbsDiff(sliceSteps(y, 0, 3), alone[0]), 1e-15) << "causal " << cfg.causal;
    for (int64_t i = 3 * 24; i < 7 * 24; ++i)
      EXPECT_EQ(y.data[i], 0.0);
  }
}

TEST(ReferenceAttention, ReportsBadCachesAndHeads) {
  TestRng rng(64);
  AttnConfig c{4, 2, 6};
  RefTensor q = rng.tensor({1, 2, 24}), k = rng.tensor({1, 2, 12}), v = rng.tensor({1, 2, 12}),
            kCache = rng.tensor({1, 2, 3, 6});
  std::vector<int64_t> cache = {kDyn, 2, kDyn, 6};
  EXPECT_EQ(evalError(OpCode::Attention, {&q, &k, &v, &kCache, nullptr}, attnAttrs(c),
                      {{kDyn, kDyn, 24}, cache, cache}),
            "instruction 0 (attention): operands 'k_cache' and 'v_cache' "
            "must be both present or both absent");
  AttnConfig bad{4, 3, 6};
  EXPECT_EQ(
      evalError(OpCode::Attention, {&q, &k, &v}, attnAttrs(bad), {{kDyn, kDyn, 24}, cache, cache}),
      "instruction 0 (attention): attribute 'kv_heads' (3) does not "
      "divide 'heads' (4)");
  RefTensor vCache = rng.tensor({1, 2, 4, 6});
  EXPECT_EQ(evalError(OpCode::Attention, {&q, &k, &v, &kCache, &vCache}, attnAttrs(c),
                      {{kDyn, kDyn, 24}, cache, cache}),
            "instruction 0 (attention): operand 'v_cache' has shape "
            "[1, 2, 4, 6] but expected [1, 2, 3, 6]");
}

//===----------------------------------------------------------------------===//
// moe
//===----------------------------------------------------------------------===//

struct MoECase {
  RefTensor x, router;
  std::vector<RefTensor> experts; ///< gate0, up0, down0, gate1, ...
};

MoECase makeMoE(TestRng &rng, int64_t numExperts, int64_t width, int64_t inter) {
  MoECase m{rng.tensor({2, 3, width}), rng.tensor({numExperts, width}, -2, 2), {}};
  for (int64_t e = 0; e < numExperts; ++e) {
    m.experts.push_back(rng.tensor({inter, width}));
    m.experts.push_back(rng.tensor({inter, width}));
    m.experts.push_back(rng.tensor({width, inter}));
  }
  return m;
}

std::vector<const RefTensor *> moeOperands(const MoECase &m) {
  std::vector<const RefTensor *> ops = {&m.x, &m.router};
  for (const RefTensor &t : m.experts)
    ops.push_back(&t);
  return ops;
}

/// down_e · (silu(gate_e · x) ⊙ (up_e · x)) for one row |x|.
std::vector<double> expert(const MoECase &m, int64_t e, const double *x) {
  const RefTensor &gate = m.experts[3 * e], &up = m.experts[3 * e + 1],
                  &down = m.experts[3 * e + 2];
  int64_t inter = gate.shape[0], width = gate.shape[1];
  std::vector<double> hidden(inter), out(width, 0.0);
  for (int64_t i = 0; i < inter; ++i) {
    double g = 0, u = 0;
    for (int64_t j = 0; j < width; ++j) {
      g += at(gate, {i, j}) * x[j];
      u += at(up, {i, j}) * x[j];
    }
    hidden[i] = silu(g) * u;
  }
  for (int64_t j = 0; j < width; ++j)
    for (int64_t i = 0; i < inter; ++i)
      out[j] += at(down, {j, i}) * hidden[i];
  return out;
}

/// Σ over the two most probable experts of p_e · expert_e(x).
RefTensor explicitTop2(const MoECase &m, bool renormalize) {
  int64_t width = m.x.shape[2], numExperts = m.router.shape[0];
  RefTensor out(m.x.shape);
  for (int64_t r = 0; r < 6; ++r) {
    const double *x = &m.x.data[r * width];
    std::vector<double> p(numExperts);
    double sum = 0;
    for (int64_t e = 0; e < numExperts; ++e) {
      double logit = 0;
      for (int64_t j = 0; j < width; ++j)
        logit += at(m.router, {e, j}) * x[j];
      sum += (p[e] = std::exp(logit));
    }
    for (double &v : p)
      v /= sum;
    int64_t first = 0;
    for (int64_t e = 1; e < numExperts; ++e)
      if (p[e] > p[first])
        first = e;
    int64_t second = first == 0 ? 1 : 0;
    for (int64_t e = 0; e < numExperts; ++e)
      if (e != first && p[e] > p[second])
        second = e;
    double norm = renormalize ? p[first] + p[second] : 1.0;
    for (int64_t e : {first, second}) {
      std::vector<double> y = expert(m, e, x);
      for (int64_t j = 0; j < width; ++j)
        out.data[r * width + j] += p[e] / norm * y[j];
    }
  }
  return out;
}

TEST(ReferenceMoE, TopTwoIsTheWeightedSumOfTheChosenExperts) {
  TestRng rng(70);
  MoECase m = makeMoE(rng, 4, 5, 7);
  for (bool renormalize : {false, true}) {
    RefTensor y =
        evalOk(OpCode::MoE, moeOperands(m),
               {intAttr("top_k", 2), intAttr("renormalize", renormalize)}, {{kDyn, kDyn, 5}})[0];
    EXPECT_LT(maxAbsDiff(y, explicitTop2(m, renormalize)), 1e-12) << "renormalize " << renormalize;
  }
}

TEST(ReferenceMoE, TiesGoToTheLowerExpertIndex) {
  TestRng rng(71);
  MoECase m = makeMoE(rng, 4, 5, 3);
  m.x = rng.tensor({2, 3, 5}, 0.1, 1.0); // positive, so rows 1 and 2 win
  for (int64_t j = 0; j < 5; ++j) {
    at(m.router, {0, j}) = 0;
    at(m.router, {1, j}) = 1;
    at(m.router, {2, j}) = 1;
    at(m.router, {3, j}) = 0;
  }
  RefTensor y = evalOk(OpCode::MoE, moeOperands(m),
                       {intAttr("top_k", 1), intAttr("renormalize", 1)}, {{kDyn, kDyn, 5}})[0];
  for (int64_t r = 0; r < 6; ++r) {
    std::vector<double> e1 = expert(m, 1, &m.x.data[r * 5]);
    for (int64_t j = 0; j < 5; ++j)
      EXPECT_NEAR(y.data[r * 5 + j], e1[j], 1e-12);
  }
}

TEST(ReferenceMoE, ReportsExpertCountAndTopK) {
  TestRng rng(72);
  MoECase m = makeMoE(rng, 2, 5, 3);
  std::vector<const RefTensor *> ops = moeOperands(m);
  EXPECT_EQ(evalError(OpCode::MoE, ops, {intAttr("top_k", 3)}, {{kDyn, kDyn, 5}}),
            "instruction 0 (moe): attribute 'top_k' (3) is not in [1, 2]");
  ops.pop_back();
  EXPECT_EQ(evalError(OpCode::MoE, ops, {intAttr("top_k", 1)}, {{kDyn, kDyn, 5}}),
            "instruction 0 (moe): the router has 2 experts but there are 5 "
            "expert operands (expected 3 per expert)");
}

} // namespace
