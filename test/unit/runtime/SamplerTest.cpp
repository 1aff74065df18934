//===- SamplerTest.cpp - greedy, top-k/p, min-p, repetition penalty -------===//
#include "runtime/engine/Sampler.h"

#include <gtest/gtest.h>

#include <set>

using namespace ssmrt;

namespace {

std::set<int32_t> drawn(SamplingOptions options, const std::vector<float> &logits, int n = 2000) {
  Sampler s(options);
  std::set<int32_t> out;
  for (int i = 0; i < n; ++i)
    out.insert(s.sample(logits.data(), static_cast<int64_t>(logits.size())));
  return out;
}

TEST(Sampler, GreedyTakesTheLowestIdOfTheMaxima) {
  Sampler s({});
  std::vector<float> logits = {0.5f, 2.0f, 2.0f, -1.0f};
  EXPECT_EQ(s.sample(logits.data(), 4), 1);
  EXPECT_EQ(s.sample(logits.data(), 1), 0) << "ids past validVocab are never chosen";
}

TEST(Sampler, MinPKeepsTokensNearTheMostLikely) {
  // Relative probabilities at temperature 1: 1, e^-1 = 0.37, e^-2 = 0.14, e^-7.
  std::vector<float> logits = {2.0f, 1.0f, 0.0f, -5.0f};
  SamplingOptions o;
  o.temperature = 1.0;
  o.seed = 3;
  EXPECT_EQ(drawn(o, logits, 20000).size(), 4u) << "without min-p all four can be drawn";
  o.minP = 0.3;
  EXPECT_EQ(drawn(o, logits), (std::set<int32_t>{0, 1}));
  o.minP = 0.1;
  EXPECT_EQ(drawn(o, logits), (std::set<int32_t>{0, 1, 2}));
  o.minP = 1.0;
  EXPECT_EQ(drawn(o, logits), (std::set<int32_t>{0}));
}

TEST(Sampler, RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits) {
  SamplingOptions o;
  o.repeatPenalty = 1.2;
  Sampler s(o);
  std::vector<float> logits = {2.0f, 1.9f, 0.0f};
  EXPECT_EQ(s.sample(logits.data(), 3), 0);
  s.accept(0); // 2.0 / 1.2 = 1.67 < 1.9
  EXPECT_EQ(s.sample(logits.data(), 3), 1);

  Sampler n(o);
  std::vector<float> negative = {-1.0f, -1.1f};
  n.accept(0); // -1.0 * 1.2 = -1.2 < -1.1
  EXPECT_EQ(n.sample(negative.data(), 2), 1);
}

TEST(Sampler, RepetitionPenaltyLooksAtTheLastNTokensOnly) {
  SamplingOptions o;
  o.repeatPenalty = 1.5;
  o.repeatLastN = 2;
  Sampler s(o);
  std::vector<float> logits = {2.0f, 1.9f, 0.0f};
  s.accept(0);
  s.accept(2);
  EXPECT_EQ(s.sample(logits.data(), 3), 1);
  s.accept(2); // 0 leaves the window of 2
  EXPECT_EQ(s.sample(logits.data(), 3), 0);
  o.repeatPenalty = 1.0; // off: accepted tokens change nothing
  Sampler off(o);
  off.accept(0);
  EXPECT_EQ(off.sample(logits.data(), 3), 0);
}

TEST(Sampler, ASeedReproducesItsChoices) {
  std::vector<float> logits = {1.0f, 0.9f, 0.8f, 0.7f, 0.6f};
  SamplingOptions o;
  o.temperature = 2.0;
  o.seed = 9;
  Sampler a(o), b(o);
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(a.sample(logits.data(), 5), b.sample(logits.data(), 5));
}

} // namespace
