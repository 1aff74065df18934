//===- MixtureOfExperts.cpp - ssm.moe on the CPU --------------------------===//
#include "runtime/cpu/MixtureOfExperts.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ssmrt {

void MixtureOfExperts::prepare(const MoEWeights &w, int64_t maxRows) {
  int64_t experts = static_cast<int64_t>(w.experts.size()), inter = 0;
  for (const MoEExpert &e : w.experts)
    inter = std::max(inter, e.inter);
  logits_.assign(maxRows * experts, 0.0f);
  gathered_.assign(maxRows * w.width, 0.0f);
  down_.assign(maxRows * w.width, 0.0f);
  gate_.assign(maxRows * inter, 0.0f);
  up_.assign(maxRows * inter, 0.0f);
  chosen_.assign(maxRows * w.topK, 0);
  weight_.assign(maxRows * w.topK, 0.0f);
  order_.assign(maxRows * w.topK, 0);
  count_.assign(experts + 1, 0);
}

void MixtureOfExperts::run(ThreadPool &pool, const MoEWeights &w, const float *x, int64_t ldx,
                           int64_t rows, float *y, int64_t ldy) {
  const int64_t experts = static_cast<int64_t>(w.experts.size()), k = w.topK, width = w.width;
  parallelMatmul(pool, x, ldx, rows, w.router, experts, width, nullptr, logits_.data(), experts);
  // Softmax and top-k per row.
  for (int64_t r = 0; r < rows; ++r) {
    float *p = &logits_[r * experts];
    float max = *std::max_element(p, p + experts), sum = 0.0f;
    for (int64_t e = 0; e < experts; ++e)
      sum += (p[e] = std::exp(p[e] - max));
    for (int64_t e = 0; e < experts; ++e)
      p[e] /= sum;
    float chosenSum = 0.0f;
    for (int64_t i = 0; i < k; ++i) {
      int64_t best = -1;
      for (int64_t e = 0; e < experts; ++e) {
        bool taken = false;
        for (int64_t j = 0; j < i; ++j)
          taken = taken || chosen_[r * k + j] == e;
        if (!taken && (best < 0 || p[e] > p[best]))
          best = e;
      }
      chosen_[r * k + i] = static_cast<int32_t>(best);
      weight_[r * k + i] = p[best];
      chosenSum += p[best];
    }
    if (w.renormalize)
      for (int64_t i = 0; i < k; ++i)
        weight_[r * k + i] /= chosenSum;
  }
  // Group the (row, choice) pairs by expert: a counting sort.
  std::fill(count_.begin(), count_.end(), 0);
  for (int64_t i = 0; i < rows * k; ++i)
    ++count_[chosen_[i] + 1];
  for (int64_t e = 0; e < experts; ++e)
    count_[e + 1] += count_[e];
  std::vector<int32_t> &start = count_;
  for (int64_t i = 0; i < rows * k; ++i)
    order_[start[chosen_[i]]++] = static_cast<int32_t>(i);
  // start[e] is now the end of expert e's run (the start of e + 1's).
  for (int64_t r = 0; r < rows; ++r)
    std::memset(y + r * ldy, 0, width * sizeof(float));
  int64_t begin = 0;
  for (int64_t e = 0; e < experts; ++e) {
    int64_t end = start[e], n = end - begin;
    if (n == 0)
      continue;
    const MoEExpert &ex = w.experts[e];
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(&gathered_[i * width], x + (order_[begin + i] / k) * ldx, width * sizeof(float));
    parallelMatmul(pool, gathered_.data(), width, n, ex.gate, nullptr, gate_.data(), ex.inter);
    parallelMatmul(pool, gathered_.data(), width, n, ex.up, nullptr, up_.data(), ex.inter);
    for (int64_t i = 0; i < n * ex.inter; ++i) {
      float g = gate_[i];
      gate_[i] = g / (1.0f + std::exp(-g)) * up_[i];
    }
    parallelMatmul(pool, gate_.data(), ex.inter, n, ex.down, nullptr, down_.data(), width);
    for (int64_t i = 0; i < n; ++i) {
      int32_t pair = order_[begin + i];
      float *yr = y + (pair / k) * ldy, scale = weight_[pair];
      const float *d = &down_[i * width];
      for (int64_t c = 0; c < width; ++c)
        yr[c] += scale * d[c];
    }
    begin = end;
  }
}

} // namespace ssmrt
