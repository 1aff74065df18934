//===- ModelNumericsTest.cpp - whole models: native vs float64 ------------===//
//
// Random small Mamba-1 and Mamba-2 models (odd sizes, grouped Mamba-2
// heads, a Mamba-1 with Jamba's mixture-of-experts feed-forward, and a
// Jamba-like hybrid with a grouped-query attention layer and its KV cache)
// written with the standard library blocks: native fp32 logits against the
// float64 reference interpreter, and the properties the runtime promises: a
// prefill then decode steps equals one prefill over the whole text, a
// prefill in pieces equals one at once, sequences of different lengths in
// one batch equal each run alone (no leakage between their caches), greedy
// generation is deterministic and a seed reproduces sampling, a snapshot
// restored into another slot continues the sequence, and a decode step
// allocates no memory once the session has run one (a KV cache grows by
// doubling from 64 tokens, so these short texts never grow it).
// Tolerance: max |a - b| / max |b| <= 1e-5.
//
//===----------------------------------------------------------------------===//
#include "test/unit/e2e/ModelHarness.h"

#include "runtime/engine/Sampler.h"
#include "test/unit/e2e/AllocationCounter.h"

#include <cmath>
#include <gtest/gtest.h>
#include <iostream>
#include <sstream>

using namespace ssmc::test;

namespace {

constexpr double kTolerance = 1e-5;

struct TinyMamba {
  int64_t dModel = 24, layers = 2, vocab = 50, state = 5, expand = 2, rank = 3, conv = 4;
  bool tied = true;
  // Mamba-2 (std/mamba2.ssm) when |headDim| > 0; |rank| is then unused.
  int64_t headDim = 0, groups = 1, chunk = 256;
  // A sparse mixture of |experts| SwiGLU experts (std/moe.ssm) after each
  // mixer when |experts| > 0, as Jamba's feed-forward layers.
  int64_t experts = 0, ff = 0, topK = 2;
  // Grouped-query self-attention (std/attention.ssm) instead of the mixer
  // in odd layers when |heads| > 0, as Jamba's attention layers.
  int64_t heads = 0, kvHeads = 0;

  /// A Mamba-1 with a 5-expert top-2 feed-forward of width 20 per layer.
  static TinyMamba withExperts() {
    TinyMamba m;
    m.experts = 5;
    m.ff = 20;
    return m;
  }

  /// A Mamba-2 of 6 heads of 8 in 2 groups, state 5, chunks of 4 tokens.
  static TinyMamba mamba2(int64_t dModel = 24, int64_t headDim = 8, int64_t groups = 2,
                          int64_t state = 5) {
    TinyMamba m;
    m.dModel = dModel;
    m.headDim = headDim;
    m.groups = groups;
    m.state = state;
    m.chunk = 4;
    return m;
  }
  /// A Jamba-like hybrid: Mamba-1, attention (4 query heads on 2 KV heads)
  /// in the middle layer of 3, the 5-expert feed-forward in every layer.
  static TinyMamba hybrid() {
    TinyMamba m = withExperts();
    m.layers = 3;
    m.heads = 4;
    m.kvHeads = 2;
    return m;
  }
  bool isMamba2() const { return headDim > 0; }
  std::string name() const {
    return std::string(isMamba2() ? "mamba2" : "mamba1") + (heads ? "+attention" : "") +
           (experts ? "+moe" : "") + " d_model " + std::to_string(dModel);
  }

  std::string text() const {
    std::ostringstream m;
    m << "import \"std/" << (isMamba2() ? "mamba2" : "mamba1") << ".ssm\"\n"
      << (experts ? "import \"std/moe.ssm\"\n" : "")
      << (heads ? "import \"std/attention.ssm\"\n" : "") << "model tiny(tokens) {\n"
      << "  param embed [" << vocab << ", " << dModel
      << "] \"backbone.embeddings.weight\" | \"backbone.embedding.weight\"\n";
    if (!tied)
      m << "  param head [" << vocab << ", " << dModel << "] \"lm_head.weight\"\n";
    m << "  h = embedding(embed, tokens)\n  for i in 0 .. " << layers << " {\n"
      << "    scope \"backbone.layers.{i}\" {\n"
      << "      param norm [" << dModel << "] \"norm.weight\"\n";
    if (heads)
      m << "      if i % 2 == 1 {\n        h = h + self_attention(rmsnorm(h, norm), " << dModel
        << ", " << heads << ", " << kvHeads << ") @ \"self_attn\"\n      } else {\n";
    if (isMamba2())
      m << "      h = h + mamba2(rmsnorm(h, norm), " << dModel << ", d_state=" << state
        << ", d_conv=" << conv << ", expand=" << expand << ", head_dim=" << headDim
        << ", n_groups=" << groups << ", chunk_size=" << chunk << ") @ \"mixer\"\n";
    else
      m << "      h = h + mamba1(rmsnorm(h, norm), " << dModel << ", d_state=" << state
        << ", d_conv=" << conv << ", expand=" << expand << ", dt_rank=" << rank
        << ") @ \"mixer\"\n";
    if (heads)
      m << "      }\n";
    if (experts)
      m << "      param ff_norm [" << dModel << "] \"pre_ff_layernorm.weight\"\n"
        << "      h = h + sparse_moe(rmsnorm(h, ff_norm), " << dModel << ", " << ff << ", "
        << experts << ", " << topK << ") @ \"feed_forward\"\n";
    m << "    }\n  }\n"
      << "  param norm_f [" << dModel << "] \"backbone.norm_f.weight\"\n"
      << "  return logits(rmsnorm(h, norm_f), " << (tied ? "embed" : "head") << ")\n}\n";
    return m.str();
  }

  void attentionWeights(Tensors &t, const std::string &p, std::mt19937_64 &rng) const {
    float a = 1.0f / std::sqrt(float(dModel));
    int64_t kv = dModel / heads * kvHeads;
    // q and k scaled up so that the softmaxes are far from uniform.
    t[p + "self_attn.q_proj.weight"] = {{dModel, dModel},
                                        uniform(rng, dModel * dModel, -3 * a, 3 * a)};
    t[p + "self_attn.k_proj.weight"] = {{kv, dModel}, uniform(rng, kv * dModel, -3 * a, 3 * a)};
    t[p + "self_attn.v_proj.weight"] = {{kv, dModel}, uniform(rng, kv * dModel, -a, a)};
    t[p + "self_attn.o_proj.weight"] = {{dModel, dModel}, uniform(rng, dModel * dModel, -a, a)};
  }

  void mixerWeights(Tensors &t, const std::string &p, std::mt19937_64 &rng) const {
    int64_t inner = expand * dModel;
    float a = 1.0f / std::sqrt(float(dModel)), b = 1.0f / std::sqrt(float(inner));
    auto logUniform = [&](int64_t n) {
      std::vector<float> v = uniform(rng, n, 1.0f, 16.0f);
      for (float &x : v)
        x = std::log(x);
      return v;
    };
    int64_t convDim = inner, inProj = 2 * inner;
    if (isMamba2()) {
      int64_t heads = inner / headDim;
      convDim = inner + 2 * groups * state;
      inProj = inner + convDim + heads;
      t[p + "mixer.dt_bias"] = {{heads}, uniform(rng, heads, -4.0f, -1.0f)};
      t[p + "mixer.A_log"] = {{heads}, logUniform(heads)};
      t[p + "mixer.D"] = {{heads}, uniform(rng, heads, 0.5f, 1.5f)};
      t[p + "mixer.norm.weight"] = {{inner}, uniform(rng, inner, 0.8f, 1.2f)};
    } else {
      t[p + "mixer.x_proj.weight"] = {{rank + 2 * state, inner},
                                      uniform(rng, (rank + 2 * state) * inner, -b, b)};
      t[p + "mixer.dt_proj.weight"] = {{inner, rank}, uniform(rng, inner * rank, -0.5f, 0.5f)};
      t[p + "mixer.dt_proj.bias"] = {{inner}, uniform(rng, inner, -6.0f, -2.5f)};
      t[p + "mixer.A_log"] = {{inner, state}, logUniform(inner * state)};
      t[p + "mixer.D"] = {{inner}, uniform(rng, inner, 0.5f, 1.5f)};
    }
    t[p + "mixer.in_proj.weight"] = {{inProj, dModel}, uniform(rng, inProj * dModel, -a, a)};
    t[p + "mixer.conv1d.weight"] = {{convDim, 1, conv}, uniform(rng, convDim * conv, -0.5f, 0.5f)};
    t[p + "mixer.conv1d.bias"] = {{convDim}, uniform(rng, convDim, -0.2f, 0.2f)};
    t[p + "mixer.out_proj.weight"] = {{dModel, inner}, uniform(rng, dModel * inner, -b, b)};
  }

  Tensors weights(std::mt19937_64 &rng,
                  const std::string &embeddingName = "backbone.embeddings.weight") const {
    Tensors t;
    t[embeddingName] = {{vocab, dModel}, uniform(rng, vocab * dModel, -1.0f, 1.0f)};
    if (!tied)
      t["lm_head.weight"] = {{vocab, dModel}, uniform(rng, vocab * dModel, -1.0f, 1.0f)};
    t["backbone.norm_f.weight"] = {{dModel}, uniform(rng, dModel, 0.8f, 1.2f)};
    for (int64_t i = 0; i < layers; ++i) {
      std::string p = "backbone.layers." + std::to_string(i) + ".";
      float a = 1.0f / std::sqrt(float(dModel));
      t[p + "norm.weight"] = {{dModel}, uniform(rng, dModel, 0.8f, 1.2f)};
      if (heads && i % 2 == 1)
        attentionWeights(t, p, rng);
      else
        mixerWeights(t, p, rng);
      if (experts) {
        float c = 1.0f / std::sqrt(float(ff));
        t[p + "pre_ff_layernorm.weight"] = {{dModel}, uniform(rng, dModel, 0.8f, 1.2f)};
        t[p + "feed_forward.router.weight"] = {{experts, dModel},
                                               uniform(rng, experts * dModel, -1.0f, 1.0f)};
        for (int64_t e = 0; e < experts; ++e) {
          std::string x = p + "feed_forward.experts." + std::to_string(e) + ".";
          t[x + "gate_proj.weight"] = {{ff, dModel}, uniform(rng, ff * dModel, -a, a)};
          t[x + "up_proj.weight"] = {{ff, dModel}, uniform(rng, ff * dModel, -a, a)};
          t[x + "down_proj.weight"] = {{dModel, ff}, uniform(rng, dModel * ff, -c, c)};
        }
      }
    }
    return t;
  }
};

/// One model of each family, for the runtime's promises.
const std::vector<TinyMamba> &families() {
  static const std::vector<TinyMamba> models = {TinyMamba{}, TinyMamba::mamba2(),
                                                TinyMamba::withExperts(), TinyMamba::hybrid()};
  return models;
}

/// A compiled tiny model with its weights in a temporary checkpoint.
struct Fixture {
  TinyMamba model;
  Tensors tensors;
  ssmrt::Program program;
  std::unique_ptr<TempCheckpoint> checkpoint;

  explicit Fixture(TinyMamba m, uint64_t seed = 7) : model(m) {
    std::mt19937_64 rng(seed);
    tensors = model.weights(rng);
    program = compileModel(model.text());
    checkpoint = std::make_unique<TempCheckpoint>(tensors);
  }
  std::unique_ptr<ssmrt::Session> session(int64_t slots = 4, int64_t chunk = 512) const {
    return openSession(program, *checkpoint, slots, chunk);
  }
};

TEST(ModelNumerics, LogitsMatchReference) {
  for (TinyMamba m : {TinyMamba{}, TinyMamba{40, 3, 61, 16, 2, 3, 4, false},
                      TinyMamba{19, 1, 33, 1, 3, 2, 2, true}, TinyMamba::mamba2(),
                      TinyMamba::mamba2(32, 16, 1, 16), TinyMamba::mamba2(40, 10, 8, 7),
                      TinyMamba::withExperts(), TinyMamba::hybrid()}) {
    Fixture f(m);
    auto s = f.session();
    ASSERT_TRUE(s);
    std::mt19937_64 rng(11);
    for (int64_t seq : {1, 7, 64}) {
      std::vector<int32_t> tokens = randomTokens(rng, seq, static_cast<int32_t>(m.vocab));
      ASSERT_TRUE(s->reset(0).ok());
      std::vector<std::vector<float>> logits;
      ASSERT_TRUE(s->prefill({0}, {tokens}, ssmrt::Session::Logits::All, logits).ok());
      ssmrt::RefTensor ref = referenceLogits(f.program, f.tensors, tokens, 1, seq);
      ASSERT_EQ(logits[0].size(), ref.data.size());
      EXPECT_LE(relativeError(logits[0].data(), ref.data.data(), ref.data.size()), kTolerance)
          << m.name() << ", seq " << seq;
    }
  }
}

TEST(ModelNumerics, PrefillThenDecodeEqualsOnePrefill) {
  for (const TinyMamba &m : families()) {
    SCOPED_TRACE(m.name());
    Fixture f(m);
    auto s = f.session();
    ASSERT_TRUE(s);
    std::mt19937_64 rng(12);
    std::vector<int32_t> text = randomTokens(rng, 20, 50);
    std::vector<std::vector<float>> whole;
    ASSERT_TRUE(s->prefill({0}, {text}, ssmrt::Session::Logits::All, whole).ok());
    // Prefill the first 9 tokens into slot 1, then decode the rest one by one.
    std::vector<int32_t> prompt(text.begin(), text.begin() + 9);
    std::vector<std::vector<float>> last;
    ASSERT_TRUE(s->prefill({1}, {prompt}, ssmrt::Session::Logits::Last, last).ok());
    int64_t vocab = s->vocabSize();
    std::vector<float> expected(whole[0].begin() + 8 * vocab, whole[0].begin() + 9 * vocab);
    EXPECT_LE(relativeError(last[0], expected), kTolerance);
    std::vector<float> step;
    for (size_t t = 9; t < text.size(); ++t) {
      ASSERT_TRUE(s->decode({1}, {text[t]}, step).ok());
      std::vector<float> want(whole[0].begin() + t * vocab, whole[0].begin() + (t + 1) * vocab);
      EXPECT_LE(relativeError(step, want), kTolerance) << "step " << t;
    }
    // And against the float64 reference over the whole text.
    ssmrt::RefTensor ref = referenceLogits(f.program, f.tensors, text, 1, text.size());
    std::vector<double> lastRef(ref.data.end() - vocab, ref.data.end());
    EXPECT_LE(relativeError(step.data(), lastRef.data(), vocab), kTolerance);
  }
}

// The fused decode steps (mamba_step, mamba2_step) are CPU kernels built
// for a vector width: decode after a prefill equals one prefill at each.
TEST(ModelNumerics, DecodeStepsAtEveryVectorWidth) {
  for (const TinyMamba &m : families())
    for (int lanes : {4, 8, 16}) {
      SCOPED_TRACE(m.name() + ", " + std::to_string(lanes) + " lanes");
      std::mt19937_64 rng(21);
      Tensors tensors = m.weights(rng);
      ssmrt::Program program = compileModel(m.text(), true, lanes);
      TempCheckpoint checkpoint(tensors);
      auto s = openSession(program, checkpoint, 2);
      ASSERT_TRUE(s);
      std::vector<int32_t> text = randomTokens(rng, 14, 50);
      std::vector<std::vector<float>> whole, last;
      ASSERT_TRUE(s->prefill({0}, {text}, ssmrt::Session::Logits::All, whole).ok());
      std::vector<int32_t> prompt(text.begin(), text.begin() + 6);
      ASSERT_TRUE(s->prefill({1}, {prompt}, ssmrt::Session::Logits::Last, last).ok());
      int64_t vocab = s->vocabSize();
      std::vector<float> step;
      for (size_t t = 6; t < text.size(); ++t) {
        ASSERT_TRUE(s->decode({1}, {text[t]}, step).ok());
        std::vector<float> want(whole[0].begin() + t * vocab, whole[0].begin() + (t + 1) * vocab);
        EXPECT_LE(relativeError(step, want), kTolerance) << "step " << t;
      }
    }
}

TEST(ModelNumerics, PrefillInPiecesEqualsAtOnce) {
  for (const TinyMamba &m : families()) {
    SCOPED_TRACE(m.name());
    Fixture f(m);
    auto atOnce = f.session(1, 512);
    auto inPieces = f.session(1, 5); // chunks of 5 tokens
    ASSERT_TRUE(atOnce && inPieces);
    std::mt19937_64 rng(13);
    std::vector<int32_t> text = randomTokens(rng, 23, 50);
    std::vector<std::vector<float>> a, b;
    ASSERT_TRUE(atOnce->prefill({0}, {text}, ssmrt::Session::Logits::All, a).ok());
    ASSERT_TRUE(inPieces->prefill({0}, {text}, ssmrt::Session::Logits::All, b).ok());
    EXPECT_LE(relativeError(b[0], a[0]), kTolerance);
    // Two explicit prefills continue the same state.
    auto twoCalls = f.session(1, 512);
    std::vector<int32_t> first(text.begin(), text.begin() + 10),
        second(text.begin() + 10, text.end());
    std::vector<std::vector<float>> c, d;
    ASSERT_TRUE(twoCalls->prefill({0}, {first}, ssmrt::Session::Logits::All, c).ok());
    ASSERT_TRUE(twoCalls->prefill({0}, {second}, ssmrt::Session::Logits::All, d).ok());
    c[0].insert(c[0].end(), d[0].begin(), d[0].end());
    EXPECT_LE(relativeError(c[0], a[0]), kTolerance);
  }
}

TEST(ModelNumerics, BatchOfDifferentLengthsEqualsEachAlone) {
  for (const TinyMamba &m : families()) {
    SCOPED_TRACE(m.name());
    Fixture f(m);
    auto batched = f.session(4);
    auto alone = f.session(1);
    ASSERT_TRUE(batched && alone);
    std::mt19937_64 rng(14);
    std::vector<std::vector<int32_t>> prompts = {randomTokens(rng, 7, 50), randomTokens(rng, 3, 50),
                                                 randomTokens(rng, 12, 50),
                                                 randomTokens(rng, 1, 50)};
    std::vector<std::vector<float>> together;
    // Slots out of order exercise the state gather/scatter.
    ASSERT_TRUE(
        batched->prefill({2, 0, 3, 1}, prompts, ssmrt::Session::Logits::All, together).ok());
    std::vector<int32_t> next = {5, 6, 7, 8};
    std::vector<float> stepTogether;
    ASSERT_TRUE(batched->decode({2, 0, 3, 1}, next, stepTogether).ok());
    int64_t vocab = batched->vocabSize();
    for (size_t i = 0; i < prompts.size(); ++i) {
      ASSERT_TRUE(alone->reset(0).ok());
      std::vector<std::vector<float>> one;
      ASSERT_TRUE(alone->prefill({0}, {prompts[i]}, ssmrt::Session::Logits::All, one).ok());
      EXPECT_LE(relativeError(together[i], one[0]), kTolerance) << "sequence " << i;
      std::vector<float> step;
      ASSERT_TRUE(alone->decode({0}, {next[i]}, step).ok());
      std::vector<float> got(stepTogether.begin() + i * vocab,
                             stepTogether.begin() + (i + 1) * vocab);
      EXPECT_LE(relativeError(got, step), kTolerance) << "decode of sequence " << i;
    }
  }
}

TEST(ModelNumerics, UntiedHeadAndOriginalEmbeddingName) {
  TinyMamba m;
  m.tied = false;
  std::mt19937_64 rng(15);
  Tensors tensors = m.weights(rng, "backbone.embedding.weight");
  ssmrt::Program program = compileModel(m.text());
  TempCheckpoint checkpoint(tensors);
  auto s = openSession(program, checkpoint, 1);
  ASSERT_TRUE(s);
  std::vector<int32_t> tokens = randomTokens(rng, 9, 50);
  std::vector<std::vector<float>> logits;
  ASSERT_TRUE(s->prefill({0}, {tokens}, ssmrt::Session::Logits::All, logits).ok());
  tensors["backbone.embeddings.weight"] = tensors["backbone.embedding.weight"];
  ssmrt::RefTensor ref = referenceLogits(program, tensors, tokens, 1, 9);
  EXPECT_LE(relativeError(logits[0].data(), ref.data.data(), ref.data.size()), kTolerance);
}

/// Greedy or sampled generation of |n| tokens after |prompt|.
std::vector<int32_t> generate(ssmrt::Session &s, const std::vector<int32_t> &prompt, int n,
                              ssmrt::SamplingOptions options) {
  EXPECT_TRUE(s.reset(0).ok());
  std::vector<std::vector<float>> last;
  EXPECT_TRUE(s.prefill({0}, {prompt}, ssmrt::Session::Logits::Last, last).ok());
  ssmrt::Sampler sampler(options);
  std::vector<float> logits = last[0];
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(sampler.sample(logits.data(), s.vocabSize()));
    EXPECT_TRUE(s.decode({0}, {out.back()}, logits).ok());
  }
  return out;
}

TEST(ModelNumerics, GreedyIsDeterministicAndSeedsReproduceSampling) {
  for (const TinyMamba &m : families()) {
    SCOPED_TRACE(m.name());
    Fixture f(m);
    auto s = f.session(1);
    ASSERT_TRUE(s);
    std::vector<int32_t> prompt = {3, 1, 4, 1, 5};
    auto greedy1 = generate(*s, prompt, 30, {});
    auto greedy2 = generate(*s, prompt, 30, {});
    EXPECT_EQ(greedy1, greedy2);
    // A high temperature: the tiny random model's logits are very peaked.
    ssmrt::SamplingOptions sampled;
    sampled.temperature = 4.0;
    sampled.topK = 40;
    sampled.topP = 0.99;
    sampled.seed = 42;
    auto a = generate(*s, prompt, 30, sampled);
    auto b = generate(*s, prompt, 30, sampled);
    EXPECT_EQ(a, b);
    sampled.seed = 43;
    auto c = generate(*s, prompt, 30, sampled);
    EXPECT_NE(a, c);
  }
}

TEST(ModelNumerics, DecodeStepsAllocateNothing) {
  for (const TinyMamba &m : families()) {
    SCOPED_TRACE(m.name());
    Fixture f(m);
    auto s = f.session(2);
    ASSERT_TRUE(s);
    std::vector<std::vector<float>> logits;
    ASSERT_TRUE(s->prefill({0, 1}, {{1, 2, 3}, {4, 5}}, ssmrt::Session::Logits::Last, logits).ok());
    const std::vector<int64_t> slots = {0, 1};
    const std::vector<int32_t> tokens = {6, 7};
    std::vector<float> step;
    ASSERT_TRUE(s->decode(slots, tokens, step).ok()); // sizes the buffers
    bool ok = true;
    long allocations;
    {
      AllocationCounter counter;
      for (int i = 0; i < 8; ++i)
        ok = ok && s->decode(slots, tokens, step).ok();
      allocations = counter.count();
    }
    ASSERT_TRUE(ok);
    EXPECT_EQ(allocations, 0) << "heap allocations in 8 decode steps of a batch of 2";
  }
}

// bf16, f16 and int8 weights for the matrix products: the prompt's logits
// (many rows: blocks widened for BLAS) and decode steps (the small
// products) within 1e-2 (bf16, f16) and 3e-2 (int8) of the largest f32
// logit, with fewer bytes per decode step.
TEST(ModelNumerics, LowPrecisionWeightsStayCloseToF32) {
  for (const TinyMamba &m : families())
    for (auto [dtype, tolerance] :
         {std::pair("bf16", 1e-2), std::pair("f16", 1e-2), std::pair("int8", 3e-2)}) {
      SCOPED_TRACE(m.name() + ", " + dtype);
      Fixture f(m);
      auto f32 = openSession(f.program, *f.checkpoint, 1, 512, "f32");
      auto low = openSession(f.program, *f.checkpoint, 1, 512, dtype);
      ASSERT_TRUE(f32 && low);
      EXPECT_LT(low->weightBytes(), f32->weightBytes());
      std::mt19937_64 rng(31);
      std::vector<int32_t> prompt = randomTokens(rng, 17, 50);
      std::vector<std::vector<float>> a, b;
      ASSERT_TRUE(f32->prefill({0}, {prompt}, ssmrt::Session::Logits::All, a).ok());
      ASSERT_TRUE(low->prefill({0}, {prompt}, ssmrt::Session::Logits::All, b).ok());
      double err = relativeError(b[0], a[0]);
      std::cout << m.name() << ", " << dtype << ": prefill logits within " << err
                << " of f32 (relative to the largest)\n";
      EXPECT_LE(err, tolerance);
      EXPECT_GT(err, 0.0) << "the weights were read as f32";
      std::vector<float> x, y;
      for (int32_t token : {3, 14, 15}) {
        ASSERT_TRUE(f32->decode({0}, {token}, x).ok());
        ASSERT_TRUE(low->decode({0}, {token}, y).ok());
        EXPECT_LE(relativeError(y, x), tolerance) << "decode of " << token;
      }
    }
}

TEST(ModelNumerics, SnapshotRestoreContinuesTheSequence) {
  for (const TinyMamba &m : families()) {
    SCOPED_TRACE(m.name());
    Fixture f(m);
    auto s = f.session(2);
    ASSERT_TRUE(s);
    std::vector<std::vector<float>> logits;
    ASSERT_TRUE(s->prefill({0}, {{1, 2, 3, 4}}, ssmrt::Session::Logits::Last, logits).ok());
    std::vector<float> state = *s->snapshot(0);
    std::vector<float> a, b;
    ASSERT_TRUE(s->decode({0}, {9}, a).ok());
    ASSERT_TRUE(s->restore(1, state).ok());
    ASSERT_TRUE(s->decode({1}, {9}, b).ok());
    EXPECT_EQ(a, b);
  }
}

} // namespace
