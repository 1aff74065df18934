//===- Attention.cpp - ssm.attention on the CPU ---------------------------===//
#include "runtime/cpu/Attention.h"
#include "runtime/cpu/Blas.h"
#include "runtime/cpu/SoftmaxRow.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

using namespace ssmrt;

namespace {
constexpr int64_t kQueryTile = 64;
constexpr int64_t kKeyTile = 256;

/// Per thread: the query block, its scores and output, and the softmax's
/// running maximum and sum per row. Grows to the largest tile once.
struct Scratch {
  std::vector<float> q, scores, out, max, sum;
  void fit(int64_t rows, int64_t headDim) {
    auto grow = [](std::vector<float> &v, size_t n) {
      if (v.size() < n)
        v.resize(n);
    };
    grow(q, rows * headDim);
    grow(scores, rows * kKeyTile);
    grow(out, rows * headDim);
    grow(max, rows);
    grow(sum, rows);
  }
};
thread_local Scratch scratch;
} // namespace

void ssmrt::applyRope(float *v, int64_t headDim, int64_t pos, double theta) {
  int64_t half = headDim / 2;
  for (int64_t i = 0; i < half; ++i) {
    double angle = static_cast<double>(pos) *
                   std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(headDim));
    double c = std::cos(angle), s = std::sin(angle);
    double x1 = v[i], x2 = v[i + half];
    v[i] = static_cast<float>(x1 * c - x2 * s);
    v[i + half] = static_cast<float>(x2 * c + x1 * s);
  }
}

void Attention::run(ThreadPool &pool, const AttentionShape &shape,
                    const std::vector<AttentionSequence> &sequences) {
  items_.clear();
  int64_t group = shape.heads / shape.kvHeads;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const AttentionSequence &s = sequences[i];
    int32_t seq = static_cast<int32_t>(i);
    if (s.len == 1) {
      for (int64_t kh = 0; kh < shape.kvHeads; ++kh)
        items_.push_back({seq, static_cast<int32_t>(kh), 0, group, group * (s.cached + 1)});
      continue;
    }
    for (int64_t t = 0; t < s.len; t += kQueryTile) {
      int64_t rows = std::min(kQueryTile, s.len - t);
      for (int64_t h = 0; h < shape.heads; ++h)
        items_.push_back({seq, static_cast<int32_t>(h), t, rows, rows * (s.cached + t + rows)});
    }
  }
  // Largest first, each thread taking the next: the last ones are small.
  std::sort(items_.begin(), items_.end(),
            [](const Item &a, const Item &b) { return a.cost > b.cost; });
  std::atomic<size_t> next{0};
  int64_t n = static_cast<int64_t>(items_.size());
  pool.parallelFor(std::min<int64_t>(n, pool.threads()), [&](int64_t, int64_t) {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < items_.size();)
      runItem(shape, sequences[items_[i].sequence], items_[i]);
  });
}

void Attention::runItem(const AttentionShape &shape, const AttentionSequence &s, const Item &item) {
  const int64_t hd = shape.headDim, ldkv = shape.kvHeads * hd;
  const int64_t group = shape.heads / shape.kvHeads;
  // A decode group: rows are the query heads of KV head item.head, all at
  // position s.cached. A prefill tile: rows are tokens of one query head.
  const bool grouped = s.len == 1;
  const int64_t rows = item.rows;
  const int64_t kvHead = grouped ? item.head : item.head / group;
  auto position = [&](int64_t r) { return s.cached + (grouped ? 0 : item.first + r); };
  auto queryHead = [&](int64_t r) { return grouped ? item.head * group + r : item.head; };
  auto token = [&](int64_t r) { return grouped ? 0 : item.first + r; };
  auto visible = [&](int64_t r) { return shape.causal ? position(r) + 1 : s.cached + s.len; };

  Scratch &w = scratch;
  w.fit(rows, hd);
  float *q = w.q.data(), *scores = w.scores.data(), *out = w.out.data();
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(q + r * hd, s.q + token(r) * s.ldq + queryHead(r) * hd, hd * sizeof(float));
    if (shape.ropeTheta > 0)
      applyRope(q + r * hd, hd, position(r), shape.ropeTheta);
    w.max[r] = -std::numeric_limits<float>::infinity();
    w.sum[r] = 0.0f;
  }
  std::fill_n(out, rows * hd, 0.0f);

  int64_t keys = 0;
  for (int64_t r = 0; r < rows; ++r)
    keys = std::max(keys, visible(r));
  const float *kBase = s.keys + kvHead * hd, *vBase = s.values + kvHead * hd;
  const SoftmaxRowFns &softmax = softmaxRow();
  for (int64_t k0 = 0; k0 < keys; k0 += kKeyTile) {
    int64_t nk = std::min(kKeyTile, keys - k0);
    gemm(/*transB=*/true, rows, nk, hd, shape.scale, q, hd, kBase + k0 * ldkv, ldkv, 0.0f, scores,
         kKeyTile);
    for (int64_t r = 0; r < rows; ++r) {
      float *p = scores + r * kKeyTile;
      int64_t valid = std::clamp<int64_t>(visible(r) - k0, 0, nk);
      std::fill(p + valid, p + nk, 0.0f);
      if (valid == 0)
        continue;
      float m = std::max(w.max[r], softmax.max(p, valid));
      if (w.max[r] != m) {
        // Rescale what was accumulated under the old maximum.
        float c = std::exp(w.max[r] - m);
        w.sum[r] *= c;
        for (int64_t i = 0; i < hd; ++i)
          out[r * hd + i] *= c;
        w.max[r] = m;
      }
      w.sum[r] += softmax.expSum(p, valid, m);
    }
    gemm(/*transB=*/false, rows, hd, nk, 1.0f, scores, kKeyTile, vBase + k0 * ldkv, ldkv, 1.0f, out,
         hd);
  }
  for (int64_t r = 0; r < rows; ++r) {
    float inv = 1.0f / w.sum[r];
    float *dst = s.out + token(r) * s.ldo + queryHead(r) * hd;
    for (int64_t i = 0; i < hd; ++i)
      dst[i] = out[r * hd + i] * inv;
  }
}
