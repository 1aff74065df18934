//===- SSDScanTest.cpp - reference Mamba-2 SSD scan -----------------------===//
//
// The sequential SSD recurrence against a naive loop with the group-major
// head -> group mapping (reference-semantics.md §3.2, trap 9) and against
// the chunked algorithm of §3.3 (ssd_minimal) written out here; plus state
// continuation and seq_lens.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtil.h"

#include <cmath>
#include <functional>
#include <gtest/gtest.h>

using namespace ssmrt;
using namespace ssmrt::test;

namespace {

const int64_t kDyn = kDynamic;

double silu(double x) { return x / (1 + std::exp(-x)); }
double softplus(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }

struct SSDCase {
  int64_t heads, headDim, groups, nState;
  RefTensor x, dt, a, bIn, cIn, d, z, dtBias, init;
};

SSDCase makeSSD(TestRng &rng, int64_t batch, int64_t len, int64_t heads, int64_t headDim,
                int64_t groups, int64_t n) {
  SSDCase s{heads, headDim, groups, n, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  s.x = rng.tensor({batch, len, heads * headDim});
  s.dt = rng.tensor({batch, len, heads}, -2, 1);
  s.a = rng.tensor({heads}, -3, -0.2);
  s.bIn = rng.tensor({batch, len, groups * n});
  s.cIn = rng.tensor({batch, len, groups * n});
  s.d = rng.tensor({heads});
  s.z = rng.tensor({batch, len, heads * headDim}, -3, 3);
  s.dtBias = rng.tensor({heads}, -1, 1);
  s.init = rng.tensor({batch, heads, headDim, n});
  return s;
}

std::vector<RefTensor> runSSD(const SSDCase &s, int64_t begin, int64_t end, const RefTensor *init,
                              const RefTensor *lens = nullptr, int64_t batchRow = -1,
                              int64_t chunk = 256) {
  auto cut = [&](const RefTensor &t) {
    return sliceSteps(batchRow < 0 ? t : sliceBatch(t, batchRow), begin, end);
  };
  RefTensor x = cut(s.x), dt = cut(s.dt), b = cut(s.bIn), c = cut(s.cIn), z = cut(s.z);
  return evalOk(OpCode::SSDScan, {&x, &dt, &s.a, &b, &c, &s.d, &z, &s.dtBias, init, lens},
                {intAttr("heads", s.heads), intAttr("head_dim", s.headDim),
                 intAttr("groups", s.groups), intAttr("chunk_size", chunk),
                 intAttr("dt_softplus", 1)},
                {{kDyn, kDyn, s.heads * s.headDim}, {kDyn, s.heads, s.headDim, s.nState}});
}

/// Δ of head |h| at step |t| of batch row |b|.
double deltaOf(const SSDCase &s, int64_t b, int64_t t, int64_t h) {
  return softplus(at(s.dt, {b, t, h}) + s.dtBias.data[h]);
}

/// The recurrence step by step; |groupOf| maps a head to its B/C group.
std::vector<RefTensor> naiveSSD(const SSDCase &s, const std::function<int64_t(int64_t)> &groupOf) {
  int64_t batch = s.x.shape[0], len = s.x.shape[1], hp = s.headDim, n = s.nState;
  RefTensor y(s.x.shape), state = s.init;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < len; ++t)
      for (int64_t h = 0; h < s.heads; ++h) {
        int64_t g = groupOf(h);
        double delta = deltaOf(s, b, t, h);
        for (int64_t p = 0; p < hp; ++p) {
          double xv = at(s.x, {b, t, h * hp + p}), out = 0;
          for (int64_t k = 0; k < n; ++k) {
            double &st = at(state, {b, h, p, k});
            st = std::exp(delta * s.a.data[h]) * st + delta * xv * at(s.bIn, {b, t, g * n + k});
            out += st * at(s.cIn, {b, t, g * n + k});
          }
          out += s.d.data[h] * xv;
          at(y, {b, t, h * hp + p}) = out * silu(at(s.z, {b, t, h * hp + p}));
        }
      }
  return {y, state};
}

/// ssd_minimal_discrete in chunks of |q| steps (the last may be partial):
/// intra-chunk outputs from segment sums, chunk states, state passing.
std::vector<RefTensor> chunkedSSD(const SSDCase &s, int64_t q) {
  int64_t batch = s.x.shape[0], len = s.x.shape[1], hp = s.headDim, n = s.nState,
          perGroup = s.heads / s.groups;
  RefTensor y(s.x.shape), state = s.init;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h) {
      int64_t g = h / perGroup;
      auto bv = [&](int64_t t, int64_t k) { return at(s.bIn, {b, t, g * n + k}); };
      auto cv = [&](int64_t t, int64_t k) { return at(s.cIn, {b, t, g * n + k}); };
      auto xv = [&](int64_t t, int64_t p) { return at(s.x, {b, t, h * hp + p}); };
      for (int64_t c0 = 0; c0 < len; c0 += q) {
        int64_t c1 = std::min(len, c0 + q);
        // segsum(l, s) = Σ_{k=s+1..l} a_k with a_k = A·Δ_k.
        auto segsum = [&](int64_t l, int64_t from) {
          double sum = 0;
          for (int64_t k = from + 1; k <= l; ++k)
            sum += s.a.data[h] * deltaOf(s, b, k, h);
          return sum;
        };
        for (int64_t l = c0; l < c1; ++l)
          for (int64_t p = 0; p < hp; ++p) {
            double out = 0;
            for (int64_t src = c0; src <= l; ++src) {
              double cb = 0;
              for (int64_t k = 0; k < n; ++k)
                cb += cv(l, k) * bv(src, k);
              out += cb * std::exp(segsum(l, src)) * xv(src, p) * deltaOf(s, b, src, h);
            }
            double off = 0; // C_l · state entering the chunk
            for (int64_t k = 0; k < n; ++k)
              off += cv(l, k) * at(state, {b, h, p, k});
            out += std::exp(segsum(l, c0 - 1)) * off + s.d.data[h] * xv(l, p);
            at(y, {b, l, h * hp + p}) = out * silu(at(s.z, {b, l, h * hp + p}));
          }
        double chunkDecay = std::exp(segsum(c1 - 1, c0 - 1));
        for (int64_t p = 0; p < hp; ++p)
          for (int64_t k = 0; k < n; ++k) {
            double chunkState = 0;
            for (int64_t src = c0; src < c1; ++src)
              chunkState +=
                  std::exp(segsum(c1 - 1, src)) * bv(src, k) * xv(src, p) * deltaOf(s, b, src, h);
            double &st = at(state, {b, h, p, k});
            st = chunkDecay * st + chunkState;
          }
      }
    }
  return {y, state};
}

TEST(ReferenceSSDScan, HeadsUseTheirGroupMajorGroup) {
  TestRng rng(50);
  SSDCase s = makeSSD(rng, 2, 7, /*heads=*/4, /*headDim=*/3, /*groups=*/2,
                      /*n=*/5);
  std::vector<RefTensor> out = runSSD(s, 0, 7, &s.init);
  std::vector<RefTensor> groupMajor = naiveSSD(s, [](int64_t h) { return h / 2; });
  EXPECT_LT(maxAbsDiff(out[0], groupMajor[0]), 1e-12);
  EXPECT_LT(maxAbsDiff(out[1], groupMajor[1]), 1e-12);
  // The tiled mapping (h % groups) is a different model: make sure the test
  // would notice it.
  std::vector<RefTensor> tiled = naiveSSD(s, [](int64_t h) { return h % 2; });
  EXPECT_GT(maxAbsDiff(out[0], tiled[0]), 1e-3);
}

TEST(ReferenceSSDScan, MatchesChunkedAlgorithmForAnyChunkSize) {
  TestRng rng(51);
  for (int64_t n : {1, 3, 16}) {
    SSDCase s = makeSSD(rng, 2, 7, 4, 3, 2, n);
    std::vector<RefTensor> out = runSSD(s, 0, 7, &s.init);
    for (int64_t q : {2, 3, 7}) {
      std::vector<RefTensor> chunked = chunkedSSD(s, q);
      EXPECT_LT(maxAbsDiff(out[0], chunked[0]), 1e-11) << "N " << n << " Q " << q;
      EXPECT_LT(maxAbsDiff(out[1], chunked[1]), 1e-11) << "N " << n << " Q " << q;
      std::vector<RefTensor> attrChunk = runSSD(s, 0, 7, &s.init, nullptr, -1, q);
      EXPECT_EQ(maxAbsDiff(out[0], attrChunk[0]), 0.0);
    }
  }
}

TEST(ReferenceSSDScan, CarriedStateContinuesTheSequence) {
  TestRng rng(52);
  SSDCase s = makeSSD(rng, 2, 7, 4, 3, 1, 5);
  std::vector<RefTensor> whole = runSSD(s, 0, 7, &s.init);
  for (int64_t split : {1, 2, 5}) {
    std::vector<RefTensor> first = runSSD(s, 0, split, &s.init);
    std::vector<RefTensor> second = runSSD(s, split, 7, &first[1]);
    EXPECT_LT(maxAbsDiff(first[0], sliceSteps(whole[0], 0, split)), 1e-12);
    EXPECT_LT(maxAbsDiff(second[0], sliceSteps(whole[0], split, 7)), 1e-12);
    EXPECT_LT(maxAbsDiff(second[1], whole[1]), 1e-12);
  }
}

TEST(ReferenceSSDScan, SeqLensGiveEachSequenceItsOwnEnd) {
  TestRng rng(53);
  SSDCase s = makeSSD(rng, 2, 7, 4, 3, 2, 3);
  RefTensor lens = lengths({7, 3});
  std::vector<RefTensor> batched = runSSD(s, 0, 7, &s.init, &lens);
  for (int64_t b = 0; b < 2; ++b) {
    int64_t len = b == 0 ? 7 : 3;
    RefTensor init = sliceBatch(s.init, b);
    std::vector<RefTensor> alone = runSSD(s, 0, len, &init, nullptr, b);
    RefTensor y = sliceBatch(batched[0], b);
    EXPECT_EQ(maxAbsDiff(sliceSteps(y, 0, len), alone[0]), 0.0);
    EXPECT_EQ(maxAbsDiff(sliceBatch(batched[1], b), alone[1]), 0.0);
    for (int64_t i = len * 12; i < 7 * 12; ++i)
      EXPECT_EQ(y.data[i], 0.0);
  }
}

TEST(ReferenceSSDScan, ReportsBadAttributes) {
  TestRng rng(54);
  SSDCase s = makeSSD(rng, 1, 2, 4, 3, 2, 3);
  std::vector<std::vector<int64_t>> shapes = {{kDyn, kDyn, 12}, {kDyn, 4, 3, 3}};
  EXPECT_EQ(evalError(OpCode::SSDScan, {&s.x, &s.dt, &s.a, &s.bIn, &s.cIn},
                      {intAttr("head_dim", 3), intAttr("groups", 2)}, shapes),
            "instruction 0 (ssd_scan): missing attribute 'heads'");
  EXPECT_EQ(evalError(OpCode::SSDScan, {&s.x, &s.dt, &s.a, &s.bIn, &s.cIn},
                      {intAttr("heads", 4), intAttr("head_dim", 3), intAttr("groups", 3)}, shapes),
            "instruction 0 (ssd_scan): attribute 'groups' (3) does not "
            "divide the head count (4)");
}

} // namespace
