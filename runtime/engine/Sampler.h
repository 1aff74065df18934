//===- Sampler.h - choosing the next token from logits ----------*- C++ -*-===//
#ifndef SSMC_RUNTIME_ENGINE_SAMPLER_H
#define SSMC_RUNTIME_ENGINE_SAMPLER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ssmrt {

struct SamplingOptions {
  double temperature = 0; ///< 0: greedy (argmax, lowest id on ties)
  int64_t topK = 0;       ///< keep the k most likely tokens; 0: all
  double topP = 1.0;      ///< keep the smallest set whose probability reaches p
  /// Keep the tokens at least minP times as likely as the most likely one.
  double minP = 0;
  /// Divide the positive logits (multiply the negative ones) of the tokens
  /// among the last repeatLastN accepted ones by this (1: off), as
  /// llama.cpp and CTRL do; applies to greedy choice too.
  double repeatPenalty = 1.0;
  int64_t repeatLastN = 64;
  uint64_t seed = 0;
};

/// Samples token ids from logits; a given seed reproduces the same choices.
/// Order: repetition penalty, temperature, top-k, top-p, min-p.
class Sampler {
public:
  explicit Sampler(SamplingOptions options) : options_(options), state_(options.seed) {}

  /// Chooses among ids [0, |validVocab|) of |logits| (ids past the
  /// tokenizer's vocabulary, e.g. the padding rows of a padded embedding,
  /// are never chosen).
  int32_t sample(const float *logits, int64_t validVocab);
  /// Records a token of the sequence (prompt or generated) for the
  /// repetition penalty.
  void accept(int32_t token);

private:
  double uniform();
  /// |logits| with the repetition penalty applied (|logits| itself when off).
  const float *penalized(const float *logits, int64_t validVocab);

  SamplingOptions options_;
  uint64_t state_;
  std::vector<std::pair<float, int32_t>> candidates_;
  std::vector<double> probs_;
  std::vector<int32_t> recent_; ///< the last repeatLastN tokens, a ring
  size_t recentNext_ = 0;
  std::vector<float> adjusted_;
  std::vector<int32_t> candidateIds_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_ENGINE_SAMPLER_H
