//===- Sampler.cpp - choosing the next token from logits ------------------===//
#include "runtime/engine/Sampler.h"

#include <algorithm>
#include <cmath>

using namespace ssmrt;

double Sampler::uniform() {
  // splitmix64, so that a seed gives the same stream on every platform.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return (z >> 11) * (1.0 / 9007199254740992.0);
}

void Sampler::accept(int32_t token) {
  if (options_.repeatPenalty == 1.0 || options_.repeatLastN <= 0)
    return;
  if (recent_.size() < static_cast<size_t>(options_.repeatLastN)) {
    recent_.push_back(token);
    return;
  }
  recent_[recentNext_] = token;
  recentNext_ = (recentNext_ + 1) % recent_.size();
}

const float *Sampler::penalized(const float *logits, int64_t validVocab) {
  if (recent_.empty())
    return logits;
  adjusted_.assign(logits, logits + validVocab);
  float penalty = static_cast<float>(options_.repeatPenalty);
  // Once per distinct token, however often it occurs.
  std::vector<int32_t> &seen = candidateIds_;
  seen.assign(recent_.begin(), recent_.end());
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (int32_t t : seen)
    if (t >= 0 && t < validVocab)
      adjusted_[t] = adjusted_[t] > 0 ? adjusted_[t] / penalty : adjusted_[t] * penalty;
  return adjusted_.data();
}

int32_t Sampler::sample(const float *rawLogits, int64_t validVocab) {
  const float *logits = penalized(rawLogits, validVocab);
  if (options_.temperature <= 0) {
    int32_t best = 0;
    for (int64_t i = 1; i < validVocab; ++i)
      if (logits[i] > logits[best])
        best = static_cast<int32_t>(i);
    return best;
  }
  candidates_.clear();
  for (int64_t i = 0; i < validVocab; ++i)
    candidates_.push_back({logits[i], static_cast<int32_t>(i)});
  // Most likely first; ties by id so the order is deterministic.
  auto byLogit = [](const auto &a, const auto &b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  size_t keep = candidates_.size();
  if (options_.topK > 0 && static_cast<size_t>(options_.topK) < keep) {
    keep = options_.topK;
    std::partial_sort(candidates_.begin(), candidates_.begin() + keep, candidates_.end(), byLogit);
    candidates_.resize(keep);
  } else {
    std::sort(candidates_.begin(), candidates_.end(), byLogit);
  }
  double maxLogit = candidates_[0].first;
  std::vector<double> &probs = probs_;
  probs.resize(keep);
  double total = 0;
  for (size_t i = 0; i < keep; ++i) {
    probs[i] = std::exp((candidates_[i].first - maxLogit) / options_.temperature);
    total += probs[i];
  }
  if (options_.topP < 1.0) {
    double cumulative = 0;
    size_t cut = keep;
    for (size_t i = 0; i < keep; ++i) {
      cumulative += probs[i] / total;
      if (cumulative >= options_.topP) {
        cut = i + 1;
        break;
      }
    }
    keep = cut;
    total = 0;
    for (size_t i = 0; i < keep; ++i)
      total += probs[i];
  }
  if (options_.minP > 0) {
    // probs[0] is the most likely token's (exp(0) = 1).
    size_t cut = 1;
    while (cut < keep && probs[cut] >= options_.minP * probs[0])
      ++cut;
    keep = cut;
    total = 0;
    for (size_t i = 0; i < keep; ++i)
      total += probs[i];
  }
  double r = uniform() * total;
  for (size_t i = 0; i < keep; ++i) {
    r -= probs[i];
    if (r < 0)
      return candidates_[i].second;
  }
  return candidates_[keep - 1].second;
}
