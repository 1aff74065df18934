//===- Sampler.h - choosing the next token from logits ----------*- C++ -*-===//
#ifndef SSMC_RUNTIME_ENGINE_SAMPLER_H
#define SSMC_RUNTIME_ENGINE_SAMPLER_H

#include <cstdint>
#include <vector>

namespace ssmrt {

struct SamplingOptions {
  double temperature = 0; ///< 0: greedy (argmax, lowest id on ties)
  int64_t topK = 0;       ///< keep the k most likely tokens; 0: all
  double topP = 1.0;      ///< keep the smallest set whose probability reaches p
  uint64_t seed = 0;
};

/// Samples token ids from logits; a given seed reproduces the same choices.
class Sampler {
public:
  explicit Sampler(SamplingOptions options) : options_(options), state_(options.seed) {}

  /// Chooses among ids [0, |validVocab|) of |logits| (ids past the
  /// tokenizer's vocabulary, e.g. the padding rows of a padded embedding,
  /// are never chosen).
  int32_t sample(const float *logits, int64_t validVocab);

private:
  double uniform();

  SamplingOptions options_;
  uint64_t state_;
  std::vector<std::pair<float, int32_t>> candidates_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_ENGINE_SAMPLER_H
