//===- AttentionTest.cpp - CPU attention against float64 ------------------===//
//
// runtime/cpu/Attention (tiled products, online softmax) against a float64
// softmax(q·kᵀ·scale)·v on random inputs (never zeros): sequence lengths 1,
// 7, 129 and 4097; head_dim 64, 128 and 17; query heads per KV head 1, 2
// and 8; after a cached prefix (decode over 4096 cached tokens included);
// batches whose sequences have different cached and new lengths (0 too);
// rotary embedding; non-causal; strided rows; 1 and 2 threads.
// Tolerance: max|got - ref| / max|ref| <= 1e-5 per case; NaN never passes,
// and rows past a sequence's length are never written.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace ssmrt;

namespace {

struct Sequence {
  int64_t cached, len;
};

struct Case {
  int64_t heads, kvHeads, headDim;
  std::vector<Sequence> sequences;
  bool causal = true;
  double ropeTheta = 0.0;
};

std::string describe(const Case &c) {
  std::string s = std::to_string(c.heads) + "/" + std::to_string(c.kvHeads) + " heads of " +
                  std::to_string(c.headDim) + (c.causal ? "" : ", non-causal") +
                  (c.ropeTheta > 0 ? ", rope" : "") + "; (cached, len):";
  for (const Sequence &q : c.sequences)
    s += " (" + std::to_string(q.cached) + ", " + std::to_string(q.len) + ")";
  return s;
}

/// q rotated to |pos| in float64, as the kernel's applyRope.
void rope(std::vector<double> &v, int64_t pos, double theta) {
  int64_t hd = static_cast<int64_t>(v.size()), half = hd / 2;
  for (int64_t i = 0; i < half; ++i) {
    double angle = double(pos) * std::pow(theta, -2.0 * double(i) / double(hd));
    double x1 = v[i], x2 = v[i + half];
    v[i] = x1 * std::cos(angle) - x2 * std::sin(angle);
    v[i + half] = x2 * std::cos(angle) + x1 * std::sin(angle);
  }
}

double maxRelativeError(const Case &c, int threads, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const int64_t hd = c.headDim, width = c.heads * hd, kvWidth = c.kvHeads * hd;
  const int64_t ldq = width + 5, ldo = width + 3;
  struct Data {
    std::vector<float> q, out, keys, values;
  };
  std::vector<Data> data(c.sequences.size());
  std::vector<AttentionSequence> call;
  for (size_t i = 0; i < c.sequences.size(); ++i) {
    const Sequence &s = c.sequences[i];
    Data &d = data[i];
    int64_t rows = std::max<int64_t>(s.len, 1);
    d.q.resize(rows * ldq);
    d.out.assign(rows * ldo, NAN);
    d.keys.resize((s.cached + s.len) * kvWidth);
    d.values.resize((s.cached + s.len) * kvWidth);
    for (auto *v : {&d.q, &d.keys, &d.values})
      for (float &x : *v)
        x = dist(rng) * (v == &d.q ? 3.0f : 1.0f); // peaked softmaxes too
    call.push_back(
        {d.q.data(), d.out.data(), ldq, ldo, d.keys.data(), d.values.data(), s.cached, s.len});
  }
  AttentionShape shape;
  shape.heads = c.heads;
  shape.kvHeads = c.kvHeads;
  shape.headDim = hd;
  shape.scale = static_cast<float>(1.0 / std::sqrt(double(hd)));
  shape.causal = c.causal;
  shape.ropeTheta = c.ropeTheta;
  ThreadPool pool(threads);
  Attention attention;
  attention.run(pool, shape, call);

  double err = 0, scale = 0;
  std::vector<double> q(hd), scores;
  for (size_t i = 0; i < c.sequences.size(); ++i) {
    const Sequence &s = c.sequences[i];
    const Data &d = data[i];
    for (int64_t t = 0; t < s.len; ++t)
      for (int64_t h = 0; h < c.heads; ++h) {
        int64_t kh = h / (c.heads / c.kvHeads), pos = s.cached + t;
        for (int64_t j = 0; j < hd; ++j)
          q[j] = d.q[t * ldq + h * hd + j];
        if (c.ropeTheta > 0)
          rope(q, pos, c.ropeTheta);
        int64_t visible = c.causal ? pos + 1 : s.cached + s.len;
        scores.assign(visible, 0.0);
        double top = -INFINITY, sum = 0;
        for (int64_t k = 0; k < visible; ++k) {
          for (int64_t j = 0; j < hd; ++j)
            scores[k] += q[j] * d.keys[k * kvWidth + kh * hd + j];
          scores[k] /= std::sqrt(double(hd));
          top = std::max(top, scores[k]);
        }
        for (double &x : scores)
          sum += x = std::exp(x - top);
        for (int64_t j = 0; j < hd; ++j) {
          double want = 0;
          for (int64_t k = 0; k < visible; ++k)
            want += scores[k] / sum * d.values[k * kvWidth + kh * hd + j];
          double got = d.out[t * ldo + h * hd + j];
          if (std::isnan(got))
            return INFINITY;
          err = std::max(err, std::abs(got - want));
          scale = std::max(scale, std::abs(want));
        }
      }
    // Padding columns between rows and rows past the length stay untouched.
    for (int64_t t = 0; t < std::max<int64_t>(s.len, 1); ++t)
      for (int64_t j = (t < s.len ? width : 0); j < ldo; ++j)
        if (!std::isnan(d.out[t * ldo + j]))
          return INFINITY;
  }
  return scale > 0 ? err / scale : 0.0;
}

void expectClose(const Case &c) {
  for (int threads : {1, 2}) {
    double err = maxRelativeError(c, threads, 11 + threads);
    EXPECT_LE(err, 1e-5) << describe(c) << ", " << threads << " threads";
  }
}

TEST(Attention, PrefillLengthsAndHeadDims) {
  for (int64_t len : {1, 7, 129})
    for (int64_t hd : {64, 128, 17})
      expectClose({4, 2, hd, {{0, len}}});
}

TEST(Attention, GroupedQueryRatios) {
  for (int64_t ratio : {1, 2, 8})
    for (int64_t len : {1, 7, 70})
      expectClose({ratio * 2, 2, 64, {{5, len}}});
}

TEST(Attention, LongPromptTiles) { expectClose({2, 1, 64, {{0, 4097}}}); }

TEST(Attention, DecodeOverLongCaches) {
  for (int64_t cached : {0, 1, 255, 256, 4096})
    expectClose({8, 1, 128, {{cached, 1}}});
}

TEST(Attention, BatchOfDifferentLengths) {
  expectClose({4, 2, 40, {{0, 7}, {300, 3}, {12, 0}, {0, 65}}});
  expectClose({4, 4, 24, {{3, 1}, {0, 1}, {1000, 1}}});
}

TEST(Attention, RotaryAndNonCausal) {
  expectClose({4, 2, 32, {{9, 70}, {0, 1}}, true, 10000.0});
  expectClose({4, 1, 18, {{4, 33}, {20, 1}}, false});
}

} // namespace
